package org.denyfs.module;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Just enough DER to read the first SignerInfo of the PKCS#7 / CMS SignedData that sign-file
 * appends to a module: the issuer's common name, the serial number (or subject key id), the digest
 * algorithm and the signature bytes, which is what kmod's libkmod-signature.c prints. Anything
 * unexpected yields null, never an exception: a module's signature is informational here.
 */
final class Pkcs7 {
    record SignerInfo(String signer, byte[] keyId, String hashAlgo, byte[] signature) {}

    private static final String OID_SIGNED_DATA = "1.2.840.113549.1.7.2";
    private static final String OID_COMMON_NAME = "2.5.4.3";
    /** kmod's pkey_hash_algo names. */
    private static final Map<String, String> HASHES = Map.of(
            "1.2.840.113549.2.4", "md4",
            "1.2.840.113549.2.5", "md5",
            "1.3.14.3.2.26", "sha1",
            "1.3.36.3.2.1", "rmd160",
            "2.16.840.1.101.3.4.2.1", "sha256",
            "2.16.840.1.101.3.4.2.2", "sha384",
            "2.16.840.1.101.3.4.2.3", "sha512",
            "2.16.840.1.101.3.4.2.4", "sha224",
            "1.2.156.10197.1.401", "sm3");

    private Pkcs7() {}

    /** One DER element: tag byte, content [start, end). */
    private record Tlv(int tag, int start, int end) {
        boolean constructed() {
            return (tag & 0x20) != 0;
        }
    }

    static SignerInfo signerInfo(byte[] der) {
        try {
            return parse(der);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            return null;
        }
    }

    private static SignerInfo parse(byte[] der) {
        Tlv contentInfo = tlv(der, 0, der.length);
        Tlv oid = tlv(der, contentInfo.start(), contentInfo.end());
        if (oid.tag() != 0x06 || !OID_SIGNED_DATA.equals(oid(der, oid))) {
            return null;
        }
        Tlv explicit = tlv(der, oid.end(), contentInfo.end());
        Tlv signedData = tlv(der, explicit.start(), explicit.end());
        // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
        Tlv item = tlv(der, signedData.start(), signedData.end());
        Tlv signerInfos = null;
        while (true) {
            if (item.tag() == 0x31 && item.end() == signedData.end()) {
                signerInfos = item;
                break;
            }
            if (item.end() >= signedData.end()) {
                break;
            }
            item = tlv(der, item.end(), signedData.end());
        }
        if (signerInfos == null || signerInfos.start() == signerInfos.end()) {
            return null;
        }
        Tlv si = tlv(der, signerInfos.start(), signerInfos.end());
        Tlv version = tlv(der, si.start(), si.end());
        Tlv sid = tlv(der, version.end(), si.end());
        String signer = null;
        byte[] keyId;
        if (sid.tag() == 0x30) { // IssuerAndSerialNumber
            Tlv issuer = tlv(der, sid.start(), sid.end());
            Tlv serial = tlv(der, issuer.end(), sid.end());
            signer = commonName(der, issuer);
            keyId = unsigned(Arrays.copyOfRange(der, serial.start(), serial.end()));
        } else if (sid.tag() == 0x80) { // [0] SubjectKeyIdentifier
            keyId = Arrays.copyOfRange(der, sid.start(), sid.end());
        } else {
            return null;
        }
        Tlv digestAlg = tlv(der, sid.end(), si.end());
        Tlv digestOid = tlv(der, digestAlg.start(), digestAlg.end());
        String hash = HASHES.get(oid(der, digestOid));
        Tlv next = tlv(der, digestAlg.end(), si.end());
        if (next.tag() == 0xa0) { // signedAttrs
            next = tlv(der, next.end(), si.end());
        }
        Tlv signature = tlv(der, next.end(), si.end()); // after signatureAlgorithm
        if (signature.tag() != 0x04) {
            return null;
        }
        return new SignerInfo(signer, keyId, hash, Arrays.copyOfRange(der, signature.start(), signature.end()));
    }

    /** The CN value of a Name (SEQUENCE OF SET OF SEQUENCE { OID, value }), or null. */
    private static String commonName(byte[] der, Tlv name) {
        int pos = name.start();
        while (pos < name.end()) {
            Tlv rdn = tlv(der, pos, name.end());
            int p = rdn.start();
            while (p < rdn.end()) {
                Tlv atv = tlv(der, p, rdn.end());
                Tlv type = tlv(der, atv.start(), atv.end());
                if (type.tag() == 0x06 && OID_COMMON_NAME.equals(oid(der, type))) {
                    Tlv value = tlv(der, type.end(), atv.end());
                    return new String(der, value.start(), value.end() - value.start(), StandardCharsets.UTF_8);
                }
                p = atv.end();
            }
            pos = rdn.end();
        }
        return null;
    }

    /** BN_bn2bin(): a DER INTEGER without its sign-padding zero bytes. */
    private static byte[] unsigned(byte[] integer) {
        int i = 0;
        while (i < integer.length - 1 && integer[i] == 0) {
            i++;
        }
        return Arrays.copyOfRange(integer, i, integer.length);
    }

    private static Tlv tlv(byte[] der, int pos, int limit) {
        if (pos + 2 > limit) {
            throw new IllegalArgumentException("DER element past its container");
        }
        int tag = der[pos] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("multi-byte DER tags are not used by PKCS#7");
        }
        int lenByte = der[pos + 1] & 0xff;
        int at = pos + 2;
        long length;
        if (lenByte < 0x80) {
            length = lenByte;
        } else {
            int n = lenByte & 0x7f;
            if (n == 0 || n > 4) {
                throw new IllegalArgumentException("unsupported DER length");
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                if (at >= limit) {
                    throw new IllegalArgumentException("DER length past its container");
                }
                length = (length << 8) | (der[at++] & 0xff);
            }
        }
        if (length > limit - at) {
            throw new IllegalArgumentException("DER element past its container");
        }
        return new Tlv(tag, at, (int) (at + length));
    }

    private static String oid(byte[] der, Tlv t) {
        if (t.tag() != 0x06 || t.start() == t.end()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (int i = t.start(); i < t.end(); i++) {
            int b = der[i] & 0xff;
            value = (value << 7) | (b & 0x7f);
            if ((b & 0x80) == 0) {
                if (first) {
                    long a = Math.min(value / 40, 2);
                    sb.append(a).append('.').append(value - a * 40);
                    first = false;
                } else {
                    sb.append('.').append(value);
                }
                value = 0;
            }
        }
        return sb.toString();
    }
}

package org.denyfs.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The DER of the PKCS#7 / CMS SignedData that sign-file appends to a module, read strictly (every
 * element inside its container, nothing left over, the tags RFC 2315 / 5652 put there), as the
 * kernel's pkcs7_parse_message() does before verify_pkcs7_signature() can look at a key. Yields
 * each SignerInfo's issuer common name, key id (serial number or subject key id), digest and
 * public-key algorithms and signature bytes, which is also what kmod's libkmod-signature.c prints.
 *
 * <p>Malformed input is {@link Malformed}, never another exception: a module's bytes are hostile
 * input. {@link #signerInfo} is the lenient form for modinfo (null instead).
 */
public final class Pkcs7 {
    /**
     * One signer.
     *
     * @param hashAlgo    kmod's name of the digest algorithm, or null if denyfs does not know it
     * @param pkeyKnown   the signature algorithm is one the kernel's public_key code supports
     * @param signedAttrs the SignerInfo carries authenticated attributes
     */
    public record SignerInfo(String signer, byte[] keyId, String hashAlgo, boolean pkeyKnown, boolean signedAttrs,
            byte[] signature) {}

    /** A parsed SignedData: whether it signs plain data (id-data), and its signers in order. */
    public record Message(boolean dataContent, List<SignerInfo> signers) {}

    /** The DER does not parse as a PKCS#7 SignedData: the kernel's EBADMSG. */
    public static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final String OID_SIGNED_DATA = "1.2.840.113549.1.7.2";
    private static final String OID_DATA = "1.2.840.113549.1.7.1";
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
    /** Signature algorithms pkcs7_sig_note_pkey_algo() accepts: RSA (plain and with a hash), ECDSA, SM2. */
    private static final Set<String> PKEY_ALGOS = Set.of(
            "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.5", "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12",
            "1.2.840.113549.1.1.13", "1.2.840.113549.1.1.14", "1.2.840.10045.4.1", "1.2.840.10045.4.3.1",
            "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", "1.2.156.10197.1.501");

    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int OID = 0x06;
    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final int CONTEXT_0 = 0xa0;
    private static final int CONTEXT_1 = 0xa1;
    private static final int IMPLICIT_0 = 0x80;

    private Pkcs7() {}

    /** One DER element: tag byte, content [start, end). */
    private record Tlv(int tag, int start, int end) {}

    /** The first SignerInfo, for modinfo; null if the blob does not parse or has none. */
    public static SignerInfo signerInfo(byte[] der) {
        try {
            List<SignerInfo> signers = parse(der).signers();
            return signers.isEmpty() ? null : signers.get(0);
        } catch (Malformed e) {
            return null;
        }
    }

    /** The whole message, strictly; {@link Malformed} for anything RFC 5652 does not allow there. */
    public static Message parse(byte[] der) throws Malformed {
        Tlv contentInfo = last(der, 0, der.length, SEQUENCE, "ContentInfo");
        Tlv type = tlv(der, contentInfo.start(), contentInfo.end(), OID, "contentType");
        if (!OID_SIGNED_DATA.equals(oid(der, type))) {
            throw new Malformed("not a PKCS#7 SignedData (contentType " + oid(der, type) + ")");
        }
        Tlv explicit = last(der, type.end(), contentInfo.end(), CONTEXT_0, "content");
        Tlv signedData = last(der, explicit.start(), explicit.end(), SEQUENCE, "SignedData");
        Tlv version = tlv(der, signedData.start(), signedData.end(), INTEGER, "SignedData version");
        int v = smallInteger(der, version);
        if (v != 1 && v != 3) {
            throw new Malformed("SignedData version " + v);
        }
        Tlv digestAlgorithms = tlv(der, version.end(), signedData.end(), SET, "digestAlgorithms");
        for (int p = digestAlgorithms.start(); p < digestAlgorithms.end(); ) {
            p = algorithm(der, p, digestAlgorithms.end(), "digestAlgorithm").end();
        }
        Tlv encap = tlv(der, digestAlgorithms.end(), signedData.end(), SEQUENCE, "encapContentInfo");
        Tlv eType = tlv(der, encap.start(), encap.end(), OID, "eContentType");
        if (eType.end() < encap.end()) {
            last(der, eType.end(), encap.end(), CONTEXT_0, "eContent");
        }
        Tlv next = tlv(der, encap.end(), signedData.end(), -1, "certificates or signerInfos");
        if (next.tag() == CONTEXT_0) { // [0] IMPLICIT certificates
            next = tlv(der, next.end(), signedData.end(), -1, "crls or signerInfos");
        }
        if (next.tag() == CONTEXT_1) { // [1] IMPLICIT crls
            next = tlv(der, next.end(), signedData.end(), -1, "signerInfos");
        }
        if (next.tag() != SET || next.end() != signedData.end()) {
            throw new Malformed("signerInfos missing or followed by garbage");
        }
        List<SignerInfo> signers = new ArrayList<>();
        for (int p = next.start(); p < next.end(); ) {
            Tlv si = tlv(der, p, next.end(), SEQUENCE, "SignerInfo");
            signers.add(signer(der, si));
            p = si.end();
        }
        return new Message(OID_DATA.equals(oid(der, eType)), List.copyOf(signers));
    }

    private static SignerInfo signer(byte[] der, Tlv si) throws Malformed {
        Tlv version = tlv(der, si.start(), si.end(), INTEGER, "SignerInfo version");
        int v = smallInteger(der, version);
        if (v != 1 && v != 3) {
            throw new Malformed("SignerInfo version " + v);
        }
        Tlv sid = tlv(der, version.end(), si.end(), -1, "sid");
        String signer = null;
        byte[] keyId;
        if (sid.tag() == SEQUENCE) { // IssuerAndSerialNumber
            Tlv issuer = tlv(der, sid.start(), sid.end(), SEQUENCE, "issuer");
            Tlv serial = last(der, issuer.end(), sid.end(), INTEGER, "serialNumber");
            signer = commonName(der, issuer);
            keyId = unsigned(Arrays.copyOfRange(der, serial.start(), serial.end()));
        } else if (sid.tag() == IMPLICIT_0) { // [0] SubjectKeyIdentifier
            keyId = Arrays.copyOfRange(der, sid.start(), sid.end());
        } else {
            throw new Malformed("sid of tag 0x" + Integer.toHexString(sid.tag()));
        }
        Tlv digestAlg = algorithm(der, sid.end(), si.end(), "digestAlgorithm");
        String digestOid = oid(der, tlv(der, digestAlg.start(), digestAlg.end(), OID, "digest OID"));
        String hash = digestOid == null ? null : HASHES.get(digestOid);
        Tlv next = tlv(der, digestAlg.end(), si.end(), -1, "signedAttrs or signatureAlgorithm");
        boolean signedAttrs = next.tag() == CONTEXT_0;
        if (signedAttrs) {
            next = tlv(der, next.end(), si.end(), -1, "signatureAlgorithm");
        }
        if (next.tag() != SEQUENCE) {
            throw new Malformed("signatureAlgorithm missing");
        }
        Tlv pkeyOid = tlv(der, next.start(), next.end(), OID, "signature algorithm OID");
        String pkey = oid(der, pkeyOid);
        boolean pkeyKnown = pkey != null && PKEY_ALGOS.contains(pkey);
        Tlv signature = tlv(der, next.end(), si.end(), OCTET_STRING, "signature");
        if (signature.end() < si.end()) {
            last(der, signature.end(), si.end(), CONTEXT_1, "unsignedAttrs");
        }
        return new SignerInfo(signer, keyId, hash, pkeyKnown, signedAttrs,
                Arrays.copyOfRange(der, signature.start(), signature.end()));
    }

    /** An AlgorithmIdentifier: SEQUENCE { OID, parameters OPTIONAL }. */
    private static Tlv algorithm(byte[] der, int pos, int limit, String what) throws Malformed {
        Tlv seq = tlv(der, pos, limit, SEQUENCE, what);
        tlv(der, seq.start(), seq.end(), OID, what + " OID");
        return seq;
    }

    /** The CN value of a Name (SEQUENCE OF SET OF SEQUENCE { OID, value }), or null. */
    private static String commonName(byte[] der, Tlv name) throws Malformed {
        String cn = null;
        for (int pos = name.start(); pos < name.end(); ) {
            Tlv rdn = tlv(der, pos, name.end(), SET, "RelativeDistinguishedName");
            for (int p = rdn.start(); p < rdn.end(); ) {
                Tlv atv = tlv(der, p, rdn.end(), SEQUENCE, "AttributeTypeAndValue");
                Tlv type = tlv(der, atv.start(), atv.end(), OID, "attribute type");
                Tlv value = last(der, type.end(), atv.end(), -1, "attribute value");
                if (cn == null && OID_COMMON_NAME.equals(oid(der, type))) {
                    cn = new String(der, value.start(), value.end() - value.start(), StandardCharsets.UTF_8);
                }
                p = atv.end();
            }
            pos = rdn.end();
        }
        return cn;
    }

    /** BN_bn2bin(): a DER INTEGER without its sign-padding zero bytes. */
    private static byte[] unsigned(byte[] integer) {
        int i = 0;
        while (i < integer.length - 1 && integer[i] == 0) {
            i++;
        }
        return Arrays.copyOfRange(integer, i, integer.length);
    }

    private static int smallInteger(byte[] der, Tlv t) throws Malformed {
        if (t.end() - t.start() != 1) {
            throw new Malformed("version is not a small integer");
        }
        return der[t.start()];
    }

    /** The element at {@code pos}, which must end exactly at {@code limit}. */
    private static Tlv last(byte[] der, int pos, int limit, int tag, String what) throws Malformed {
        Tlv t = tlv(der, pos, limit, tag, what);
        if (t.end() != limit) {
            throw new Malformed(what + ": " + (limit - t.end()) + " bytes of garbage after it");
        }
        return t;
    }

    /** The element at {@code pos} within {@code limit}, of tag {@code tag} (-1: any). */
    private static Tlv tlv(byte[] der, int pos, int limit, int tag, String what) throws Malformed {
        if (pos < 0 || limit > der.length || pos + 2 > limit) {
            throw new Malformed(what + " missing or truncated");
        }
        int t = der[pos] & 0xff;
        if ((t & 0x1f) == 0x1f) {
            throw new Malformed(what + ": multi-byte tags are not used by PKCS#7");
        }
        if (tag >= 0 && t != tag) {
            throw new Malformed(what + ": tag 0x" + Integer.toHexString(t) + ", expected 0x" + Integer.toHexString(tag));
        }
        int lenByte = der[pos + 1] & 0xff;
        int at = pos + 2;
        long length;
        if (lenByte < 0x80) {
            length = lenByte;
        } else {
            int n = lenByte & 0x7f;
            if (n == 0 || n > 4) {
                throw new Malformed(what + ": indefinite or oversized length");
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                if (at >= limit) {
                    throw new Malformed(what + ": length past its container");
                }
                length = (length << 8) | (der[at++] & 0xff);
            }
        }
        if (length > limit - at) {
            throw new Malformed(what + ": " + length + " bytes past its container");
        }
        return new Tlv(t, at, (int) (at + length));
    }

    /** The dotted form of an OID element; null if it is empty or ends mid-arc. */
    private static String oid(byte[] der, Tlv t) {
        if (t.start() == t.end() || (der[t.end() - 1] & 0x80) != 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (int i = t.start(); i < t.end(); i++) {
            int b = der[i] & 0xff;
            if (value > Long.MAX_VALUE >> 7) {
                return null; // an arc no algorithm has
            }
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

package org.denyfs.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The signature appended to a module, as kmod's modinfo shows it: {@code sig_id}, {@code signer},
 * {@code sig_key}, {@code sig_hashalgo} and {@code signature}. Keys and signatures are in kmod's
 * notation, upper-case hex bytes joined by colons (without modinfo's line wrapping). Fields that
 * the PKCS#7 blob does not yield are null. This is the user-space reading, lenient as kmod's is: a
 * signature whose struct is impossible is no signature, one whose blob does not parse has no
 * fields, and nothing here throws. What the kernel makes of a signature is {@link ModuleSigCheck}.
 *
 * @param idType    "PKCS#7", "X509" or "PGP" (struct module_signature.id_type)
 * @param signer    the common name of the signing certificate's issuer, or null
 * @param sigKey    the certificate serial number (or subject key id), or null
 * @param hashAlgo  e.g. "sha256", or null
 * @param signature the raw signature bytes, or null
 * @param length    sig_len: the size of the signature blob in the file
 */
public record ModuleSignature(String idType, String signer, String sigKey, String hashAlgo, String signature, int length) {
    /** MODULE_SIG_STRING of include/linux/module_signature.h. */
    public static final String MARKER = "~Module signature appended~\n";
    public static final int MARKER_LENGTH = MARKER.length();
    private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);
    /** sizeof(struct module_signature): algo, hash, id_type, signer_len, key_id_len, pad[3], __be32 sig_len. */
    public static final int STRUCT_SIZE = 12;
    /** PKEY_ID_PKCS7, the only id_type the kernel verifies. */
    public static final int PKEY_ID_PKCS7 = 2;
    private static final String[] ID_TYPES = {"PGP", "X509", "PKCS#7"};

    /** True if the image ends with the marker. */
    public static boolean present(ByteBuffer image) {
        int len = image.limit();
        if (len <= MARKER_BYTES.length) {
            return false;
        }
        for (int i = 0; i < MARKER_BYTES.length; i++) {
            if (image.get(len - MARKER_BYTES.length + i) != MARKER_BYTES[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The blob's length (sig_len) if {@code image} carries a signature whose struct fits in it,
     * else -1: kmod's test before it reads any field.
     */
    static long blobLength(ByteBuffer image) {
        if (!present(image)) {
            return -1;
        }
        int rest = image.limit() - MARKER_BYTES.length;
        if (rest <= STRUCT_SIZE) {
            return -1;
        }
        long sigLen = Integer.toUnsignedLong(image.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(rest - 4));
        return sigLen >= rest - STRUCT_SIZE ? -1 : sigLen;
    }

    /** The image length without a well-formed signature, or the whole length if it carries none. */
    static int strippedLength(ByteBuffer image) {
        long sigLen = blobLength(image);
        return sigLen < 0 ? image.limit() : (int) (image.limit() - MARKER_BYTES.length - STRUCT_SIZE - sigLen);
    }

    /** The signature of an image, or null if it carries no well-formed one (see {@link #blobLength}). */
    public static ModuleSignature read(ByteBuffer image) {
        long sigLen = blobLength(image);
        if (sigLen < 0) {
            return null;
        }
        int rest = image.limit() - MARKER_BYTES.length;
        int structAt = rest - STRUCT_SIZE;
        int idType = image.get(structAt + 2) & 0xff;
        byte[] blob = new byte[(int) sigLen];
        image.get(structAt - (int) sigLen, blob);
        String type = idType < ID_TYPES.length ? ID_TYPES[idType] : "unknown(" + idType + ")";
        if (idType != PKEY_ID_PKCS7) {
            return new ModuleSignature(type, null, null, null, null, (int) sigLen);
        }
        Pkcs7.SignerInfo info = Pkcs7.signerInfo(blob);
        if (info == null) {
            return new ModuleSignature(type, null, null, null, null, (int) sigLen);
        }
        return new ModuleSignature(type, info.signer(), hex(info.keyId()), info.hashAlgo(), hex(info.signature()), (int) sigLen);
    }

    /** kmod's notation: "1B:A0:DB". */
    public static String hex(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)));
            sb.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
        }
        return sb.toString();
    }
}

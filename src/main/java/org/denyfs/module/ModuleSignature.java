package org.denyfs.module;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * The signature appended to a module, as kmod's modinfo shows it: {@code sig_id}, {@code signer},
 * {@code sig_key}, {@code sig_hashalgo} and {@code signature}. Keys and signatures are in kmod's
 * notation, upper-case hex bytes joined by colons (without modinfo's line wrapping). Fields that
 * the PKCS#7 blob does not yield are null; the signature is never verified.
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
    static final String MARKER = "~Module signature appended~\n";
    private static final byte[] MARKER_BYTES = MARKER.getBytes(StandardCharsets.US_ASCII);
    /** sizeof(struct module_signature): algo, hash, id_type, signer_len, key_id_len, pad[3], __be32 sig_len. */
    private static final int STRUCT_SIZE = 12;
    private static final String[] ID_TYPES = {"PGP", "X509", "PKCS#7"};

    /** True if the image ends with the marker. */
    static boolean present(ByteBuffer image) {
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
     * mod_check_sig(): the image length without its signature, or the whole length if unsigned.
     * A marker with an impossible struct is ENOEXEC (the kernel says EBADMSG, which denyfs maps to
     * the same "Invalid module format" kmod prints for both).
     */
    static int strippedLength(ByteBuffer image) {
        int len = image.limit();
        if (!present(image)) {
            return len;
        }
        int rest = len - MARKER_BYTES.length;
        if (rest <= STRUCT_SIZE) {
            throw new ErrnoException(Errno.ENOEXEC, "module signature: struct module_signature truncated");
        }
        long sigLen = Integer.toUnsignedLong(image.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(rest - 4));
        if (sigLen >= rest - STRUCT_SIZE) {
            throw new ErrnoException(Errno.ENOEXEC, "module signature: sig_len " + sigLen + " exceeds the module");
        }
        return (int) (rest - STRUCT_SIZE - sigLen);
    }

    /** Reads the signature of an image known to carry one; assumes {@link #strippedLength} passed. */
    static ModuleSignature read(ByteBuffer image) {
        int rest = image.limit() - MARKER_BYTES.length;
        int structAt = rest - STRUCT_SIZE;
        int idType = image.get(structAt + 2) & 0xff;
        int sigLen = image.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(rest - 4);
        byte[] blob = new byte[sigLen];
        image.get(structAt - sigLen, blob);
        String type = idType < ID_TYPES.length ? ID_TYPES[idType] : "unknown(" + idType + ")";
        if (idType != 2) {
            return new ModuleSignature(type, null, null, null, null, sigLen);
        }
        Pkcs7.SignerInfo info = Pkcs7.signerInfo(blob);
        if (info == null) {
            return new ModuleSignature(type, null, null, null, null, sigLen);
        }
        return new ModuleSignature(type, info.signer(), hex(info.keyId()), info.hashAlgo(), hex(info.signature()), sigLen);
    }

    /** kmod's notation: "1B:A0:DB". */
    static String hex(byte[] bytes) {
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

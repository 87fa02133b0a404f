package org.denyfs.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.denyfs.image.ModuleSignature;

/**
 * Appends a module signature the way scripts/sign-file does: a DER PKCS#7 SignedData (detached,
 * no certificates, issuer-and-serial signer id), struct module_signature with id_type 2 and the
 * big-endian sig_len, then "~Module signature appended~\n". Built by hand, so tests need no openssl.
 */
public final class SignedImages {
    static final byte[] SERIAL = {0x00, (byte) 0x9a, 0x12, 0x34};
    static final byte[] SIGNATURE = {0x0b, (byte) 0xad, (byte) 0xc0, (byte) 0xde};
    public static final String SIGNER = "denyfs test key";
    /** The key id modinfo shows as sig_key: the serial without its sign byte. */
    public static final String KEY_ID = "9A:12:34";

    private static final byte[] NULL = {0x05, 0x00};

    private SignedImages() {}

    public static byte[] sign(byte[] module) {
        byte[] blob = pkcs7();
        ByteBuffer tail = ByteBuffer.allocate(blob.length + 12 + ModuleSignature.MARKER.length());
        tail.put(blob);
        tail.put(new byte[] {0, 0, 2, 0, 0, 0, 0, 0});
        tail.putInt(blob.length); // big-endian, as __be32 sig_len
        tail.put(ModuleSignature.MARKER.getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(module);
        out.writeBytes(tail.array());
        return out.toByteArray();
    }

    public static int signatureBytes() {
        return pkcs7().length + 12 + ModuleSignature.MARKER.length();
    }

    public static byte[] pkcs7() {
        byte[] sha256 = seq(oid(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01), NULL);
        byte[] rsa = seq(oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01), NULL);
        byte[] cn = tlv(0x0c, SIGNER.getBytes(StandardCharsets.UTF_8));
        byte[] org = tlv(0x0c, "denyfs".getBytes(StandardCharsets.UTF_8));
        byte[] issuer = seq(
                tlv(0x31, seq(oid(0x55, 0x04, 0x0a), org)),
                tlv(0x31, seq(oid(0x55, 0x04, 0x03), cn)));
        byte[] signerInfo = seq(
                tlv(0x02, 1),
                seq(issuer, tlv(0x02, SERIAL)),
                sha256,
                rsa,
                tlv(0x04, SIGNATURE));
        byte[] signedData = seq(
                tlv(0x02, 1),
                tlv(0x31, sha256),
                seq(oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01)),
                tlv(0x31, signerInfo));
        return seq(oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02), tlv(0xa0, signedData));
    }

    private static byte[] oid(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return tlv(0x06, b);
    }

    private static byte[] seq(byte[]... parts) {
        return tlv(0x30, parts);
    }

    private static byte[] tlv(int tag, int... content) {
        byte[] b = new byte[content.length];
        for (int i = 0; i < content.length; i++) {
            b[i] = (byte) content[i];
        }
        return tlv(tag, new byte[][] {b});
    }

    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        int n = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }
}

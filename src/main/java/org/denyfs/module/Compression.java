package org.denyfs.module;

import java.nio.ByteBuffer;

/** The module compressions the kernel can undo for MODULE_INIT_COMPRESSED_FILE, told apart by magic bytes. */
public enum Compression {
    GZIP(new byte[] {0x1f, (byte) 0x8b}),
    XZ(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}),
    ZSTD(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});

    private final byte[] magic;

    Compression(byte[] magic) {
        this.magic = magic;
    }

    /** The compression whose magic starts {@code data[0, limit)}, or null. */
    public static Compression detect(ByteBuffer data) {
        for (Compression c : values()) {
            if (c.matches(data)) {
                return c;
            }
        }
        return null;
    }

    boolean matches(ByteBuffer data) {
        if (data.limit() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (data.get(i) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** The name /sys/module/compression shows for it. */
    public String sysfsName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

package org.denyfs.image;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * The module compressions, told apart by magic bytes, and the one decompressor of each: the
 * emulated kernel's module_decompress() (MODULE_INIT_COMPRESSED_FILE) and the user-space reading
 * of a .ko.xz, .ko.zst or .ko.gz (modinfo, insmod's user-space route, as kmod does) all read through
 * {@link #decompressing}; {@link #compressing} writes a module as the kernel's modules_install does.
 */
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

    /**
     * A stream of the decompressed bytes of {@code compressed} (heap or direct; read from its
     * position to its limit, which it advances). The caller closes it.
     */
    public InputStream decompressing(ByteBuffer compressed) throws IOException {
        InputStream raw = new BufferInput(compressed);
        switch (this) {
            case GZIP:
                return new GZIPInputStream(raw, 64 * 1024);
            case XZ:
                return new XZInputStream(raw);
            case ZSTD:
                return new ZstdInputStream(raw);
            default:
                throw new IllegalStateException(name());
        }
    }

    /**
     * A stream that compresses into {@code out} as the kernel's scripts/Makefile.modinst does
     * ({@code xz --check=crc32 --lzma2=dict=1MiB}: the in-kernel decompressor knows CRC32 only;
     * {@code zstd} at its default level 3; {@code gzip -9}). Closing it closes {@code out}.
     */
    public OutputStream compressing(OutputStream out) throws IOException {
        switch (this) {
            case GZIP:
                return new GZIPOutputStream(out, 64 * 1024) {
                    {
                        def.setLevel(9);
                    }
                };
            case XZ:
                LZMA2Options options = new LZMA2Options();
                options.setDictSize(1 << 20);
                return new XZOutputStream(out, options, org.tukaani.xz.XZ.CHECK_CRC32);
            case ZSTD:
                return new ZstdOutputStream(out, 3);
            default:
                throw new IllegalStateException(name());
        }
    }

    /** The file name ending depmod and kmod give a module compressed so: ".ko.xz", ".ko.zst", ".ko.gz". */
    public String moduleSuffix() {
        return switch (this) {
            case GZIP -> ".ko.gz";
            case XZ -> ".ko.xz";
            case ZSTD -> ".ko.zst";
        };
    }

    /** The whole decompressed image on the heap, for reading outside the kernel model. Corrupt data is EINVAL. */
    public ByteBuffer decompressToHeap(ByteBuffer compressed) {
        try (InputStream s = decompressing(compressed.duplicate().clear())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.limit() * 4);
            s.transferTo(out);
            return ByteBuffer.wrap(out.toByteArray());
        } catch (IOException | RuntimeException e) {
            throw new ErrnoException(Errno.EINVAL, "corrupt " + sysfsName() + " module: " + e.getMessage(), e);
        }
    }

    /** An InputStream over a ByteBuffer (heap or direct); closing it does nothing. */
    private static final class BufferInput extends InputStream {
        private final ByteBuffer buf;

        BufferInput(ByteBuffer buf) {
            this.buf = buf;
        }

        @Override
        public int read() {
            return buf.hasRemaining() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }

    /** The name /sys/module/compression shows for it. */
    public String sysfsName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

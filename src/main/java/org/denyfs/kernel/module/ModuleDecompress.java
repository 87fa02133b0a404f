package org.denyfs.kernel.module;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.Compression;

/**
 * module_decompress() (kernel/module/decompress.c): undoes the one format the kernel was built with
 * (CONFIG_MODULE_COMPRESS_GZIP, _XZ or _ZSTD) into fresh off-heap memory, as the kernel does into
 * pages it allocates one by one. Every failure is {@code ErrnoException(EINVAL)}: corrupt data, and
 * data that does not start with the built format's magic ("not an xz compressed module"), whatever
 * else it is; a kernel without CONFIG_MODULE_DECOMPRESS has only the stub, EOPNOTSUPP. The caller
 * counts each as failed_decompress.
 * The bytes come from {@link Compression#decompressing}, the one decompressor, which modinfo's
 * reading of a compressed file uses too.
 */
final class ModuleDecompress {
    /** The kernel's own ceiling for any module buffer: kernel_read_file() takes at most INT_MAX. */
    private static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    private ModuleDecompress() {}

    /** Decompresses {@code compressed} into a new region; the caller still owns and frees the input. */
    static OffHeap.Region decompress(OffHeap heap, OffHeap.Region compressed, Compression built) {
        if (built == null) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "module_decompress: kernel built without MODULE_DECOMPRESS");
        }
        ByteBuffer in = compressed.buffer();
        Compression c = Compression.detect(in);
        if (c != built) {
            throw new ErrnoException(Errno.EINVAL, "module_decompress: not an " + built.sysfsName() + " compressed module");
        }
        OffHeap.Region out = heap.allocate(initialGuess(in.limit(), heap.limits().maxImage()), compressed.uid());
        try (InputStream s = c.decompressing(in)) {
            byte[] chunk = new byte[64 * 1024];
            int used = 0;
            int n;
            while ((n = s.read(chunk)) > 0) {
                if (used + (long) n > out.size()) {
                    out = grow(heap, out, used, used + (long) n);
                }
                out.buffer().limit(out.size()).position(used).put(chunk, 0, n);
                used += n;
            }
            if (used == 0) {
                throw new ErrnoException(Errno.EINVAL, "module_decompress: empty " + c.sysfsName() + " stream");
            }
            out.truncate(used);
            return out;
        } catch (IOException | RuntimeException e) {
            out.close();
            if (e instanceof ErrnoException ee) {
                throw ee;
            }
            throw new ErrnoException(Errno.EINVAL, "module_decompress: corrupt " + c.sysfsName() + " data: " + e.getMessage(), e);
        }
    }

    /** Four times the compressed size, within the largest buffer the budget allows. */
    private static int initialGuess(int compressed, long maxImage) {
        return (int) Math.min(Math.min(MAX_SIZE, maxImage), Math.max(64 * 1024, compressed * 4L));
    }

    /** Doubles the region, copying what is there; the old one is freed at once. */
    private static OffHeap.Region grow(OffHeap heap, OffHeap.Region old, int used, long needed) {
        long max = Math.min(MAX_SIZE, heap.limits().maxImage());
        if (needed > max) {
            throw new ErrnoException(Errno.ENOMEM, "module_decompress: image larger than " + max + " bytes (max_module_bytes)");
        }
        int size = (int) Math.min(max, Math.max(needed, old.size() * 2L));
        OffHeap.Region bigger = heap.allocate(size, old.uid()); // on ENOMEM the caller frees old
        copy(old, bigger, used);
        return bigger;
    }

    private static void copy(OffHeap.Region from, OffHeap.Region to, int used) {
        try {
            to.buffer().put(from.buffer().limit(used));
        } finally {
            from.close();
        }
    }
}

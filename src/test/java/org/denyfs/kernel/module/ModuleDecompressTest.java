package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.Compression;
import org.denyfs.testing.Compressed;
import org.denyfs.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class ModuleDecompressTest {
    private final OffHeap heap = new OffHeap(MemoryLimits.DEFAULTS);

    @Test
    void moduleDecompress_xz_givesTheImage() {
        assertRoundTrip(Compressed.xz(Fixtures.base()), Compression.XZ);
    }

    @Test
    void moduleDecompress_zstd_givesTheImage() {
        assertRoundTrip(Zstd.compress(Fixtures.base()), Compression.ZSTD);
    }

    @Test
    void moduleDecompress_gzip_givesTheImage() {
        assertRoundTrip(Compressed.gzip(Fixtures.base()), Compression.GZIP);
    }

    @Test
    void moduleDecompress_outputLargerThanFirstGuess_growsAndFreesTheSmallerBuffer() {
        byte[] big = new byte[3 * 1024 * 1024]; // compresses ~1000:1, far past the first guess
        try (OffHeap.Region in = region(Compressed.xz(big)); OffHeap.Region out = ModuleDecompress.decompress(heap, in, Compression.XZ)) {
            assertThat(out.length()).isEqualTo(big.length);
            assertThat(heap.inFlight()).isEqualTo(in.size() + out.size());
        }
        assertThat(heap.inFlight()).isZero();
    }

    @Test
    void moduleDecompress_corruptXz_failsEinval() {
        byte[] data = Compressed.xz(Fixtures.base());
        Arrays.fill(data, 20, data.length - 20, (byte) 0x55);

        assertFails(data, Compression.XZ, Errno.EINVAL);
    }

    @Test
    void moduleDecompress_uncompressedData_failsEinval() {
        assertFails(Fixtures.base(), Compression.XZ, Errno.EINVAL);
    }

    @Test
    void moduleDecompress_otherFormatThanBuilt_failsEinval() {
        // decompress.c: "not an xz compressed module", whatever the data is
        assertFails(Compressed.gzip(Fixtures.base()), Compression.XZ, Errno.EINVAL);
        assertFails(Compressed.xz(Fixtures.base()), Compression.ZSTD, Errno.EINVAL);
    }

    @Test
    void moduleDecompress_kernelWithoutModuleDecompress_failsEopnotsupp() {
        assertFails(Compressed.xz(Fixtures.base()), null, Errno.EOPNOTSUPP);
    }

    private void assertRoundTrip(byte[] compressed, Compression built) {
        byte[] plain = Fixtures.base();
        try (OffHeap.Region in = region(compressed); OffHeap.Region out = ModuleDecompress.decompress(heap, in, built)) {
            byte[] got = new byte[out.length()];
            out.buffer().get(got);
            assertThat(got).isEqualTo(plain);
        }
        assertThat(heap.inFlight()).isZero();
    }

    private void assertFails(byte[] data, Compression built, Errno errno) {
        try (OffHeap.Region in = region(data)) {
            assertThatThrownBy(() -> ModuleDecompress.decompress(heap, in, built))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(errno));
            assertThat(heap.inFlight()).isEqualTo(in.size());
        }
    }

    private OffHeap.Region region(byte[] data) {
        OffHeap.Region r = heap.allocate(data.length, 0);
        r.buffer().put(data);
        return r;
    }

}

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

    /**
     * An xz stream whose block header asks for a 1.5 GiB LZMA2 dictionary (properties byte 37):
     * without a memory limit the decoder allocates it before it checks a byte.
     */
    @Test
    void moduleDecompress_xzHeaderAskingA1_5GiBDictionary_failsEinval_andFreesItsBuffer() {
        assertFails(xzWithDictionaryProperty(Compressed.xz(Fixtures.base()), 37), Compression.XZ, Errno.EINVAL);
    }

    /** A zstd frame whose header declares a 128 MiB window (libzstd's default limit admits it; ours is 64 MiB). */
    @Test
    void moduleDecompress_zstdFrameWithA128MiBWindow_failsEinval_andFreesItsBuffer() {
        assertFails(zstdRawFrame(27, new byte[] {'x'}), Compression.ZSTD, Errno.EINVAL);
    }

    @Test
    void moduleDecompress_zstdFrameWithAn8MiBWindow_givesItsData() {
        try (OffHeap.Region in = region(zstdRawFrame(23, new byte[] {'x'}));
                OffHeap.Region out = ModuleDecompress.decompress(heap, in, Compression.ZSTD)) {
            assertThat(out.length()).isEqualTo(1);
        }
        assertThat(heap.inFlight()).isZero();
    }

    /** Sets the LZMA2 dictionary property of the first block header and recomputes its CRC32. */
    static byte[] xzWithDictionaryProperty(byte[] xz, int property) {
        byte[] b = xz.clone();
        // stream header (12 bytes), then block header: size 0x02 (12 bytes), flags 0 (one filter, no sizes), LZMA2 (0x21), 1 property byte
        assertThat(new byte[] {b[12], b[13], b[14], b[15]}).isEqualTo(new byte[] {0x02, 0x00, 0x21, 0x01});
        b[16] = (byte) property;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 12, 8);
        java.nio.ByteBuffer.wrap(b, 20, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        return b;
    }

    /** A zstd frame with a window descriptor of 2^windowLog bytes and one raw, last block of {@code data}. */
    static byte[] zstdRawFrame(int windowLog, byte[] data) {
        byte[] b = new byte[4 + 1 + 1 + 3 + data.length];
        b[0] = 0x28;
        b[1] = (byte) 0xb5;
        b[2] = 0x2f;
        b[3] = (byte) 0xfd;
        b[4] = 0x00; // frame header descriptor: no content size, not single-segment, so a window descriptor follows
        b[5] = (byte) ((windowLog - 10) << 3); // exponent, mantissa 0
        int block = 1 | data.length << 3; // last block, raw
        b[6] = (byte) block;
        b[7] = (byte) (block >> 8);
        b[8] = (byte) (block >> 16);
        System.arraycopy(data, 0, b, 9, data.length);
        return b;
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

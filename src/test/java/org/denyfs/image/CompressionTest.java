package org.denyfs.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.testing.Compressed;
import org.denyfs.testing.Fixtures;
import org.junit.jupiter.api.Test;

class CompressionTest {
    @Test
    void firstGuess_ofAnInputPast512MiB_doesNotOverflow_andIsCapped() {
        int guess = Compression.firstGuess(600 << 20);
        assertThat(guess).isPositive().isLessThanOrEqualTo(64 << 20);
        assertThat(Compression.firstGuess(Integer.MAX_VALUE)).isEqualTo(guess);
        assertThat(Compression.firstGuess(100_000)).isEqualTo(400_000);
    }

    @Test
    void decompressToHeap_xzAskingA1_5GiBDictionary_failsEinval() {
        byte[] xz = Compressed.xz(Fixtures.base());
        byte[] b = xz.clone();
        b[16] = 37; // the block header's LZMA2 dictionary property: 1.5 GiB
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 12, 8);
        ByteBuffer.wrap(b, 20, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        assertThatThrownBy(() -> Compression.XZ.decompressToHeap(ByteBuffer.wrap(b)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("memory");
        // the unpatched stream decodes under the same limit
        assertThat(Compression.XZ.decompressToHeap(ByteBuffer.wrap(xz)).remaining()).isEqualTo(Fixtures.base().length);
    }
}

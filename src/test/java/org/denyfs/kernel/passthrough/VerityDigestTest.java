package org.denyfs.kernel.passthrough;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The fs-verity file digest against the outside oracle, Debian's {@code fsverity digest} (fsverity-utils
 * 1.5): the same bytes for every size around the block and tree-level boundaries, both hash
 * algorithms, each block size the kernel accepts here, with and without a salt. Under CI a missing
 * tool is a failure; elsewhere the test skips itself.
 */
class VerityDigestTest {
    @TempDir
    Path dir;

    static List<Arguments> cases() {
        return List.of(
                Arguments.of(0L, "sha256", 4096, ""),
                Arguments.of(1L, "sha256", 4096, ""),
                Arguments.of(4096L, "sha256", 4096, ""),
                Arguments.of(4097L, "sha256", 4096, ""),
                Arguments.of(128L * 4096, "sha256", 4096, ""),          // level 0 exactly one block
                Arguments.of(128L * 4096 + 1, "sha256", 4096, ""),      // two levels
                Arguments.of(1L << 20 | 12345, "sha256", 4096, "00112233"),
                Arguments.of(4097L, "sha512", 4096, ""),
                Arguments.of(1L << 20 | 7, "sha512", 1024, "deadbeef"),
                Arguments.of(3L * 1024 * 16 + 5, "sha512", 1024, ""),   // several levels of 16 hashes
                Arguments.of(70000L, "sha256", 2048, "00".repeat(32)),  // the longest salt
                Arguments.of(70000L, "sha512", 4096, "ab".repeat(17)));
    }

    @ParameterizedTest(name = "{0} bytes, {1}, {2}-byte blocks, salt \"{3}\"")
    @MethodSource("cases")
    void fileDigest_ofAnyFile_isWhatFsverityDigestPrints(long size, String alg, int blockSize, String salt) throws Exception {
        Path file = randomFile(size);
        byte[] saltBytes = HexFormat.of().parseHex(salt);
        VerityDigest.HashAlg hash = alg.equals("sha256") ? VerityDigest.HashAlg.SHA256 : VerityDigest.HashAlg.SHA512;
        byte[] descriptor;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            descriptor = VerityDigest.descriptor(hash, Integer.numberOfTrailingZeros(blockSize), saltBytes, size,
                    (into, length, offset) -> {
                        try {
                            in.seek(offset);
                            in.readFully(into, 0, length);
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }, VerityDigest.Progress.NONE);
        }
        assertThat(HexFormat.of().formatHex(VerityDigest.fileDigest(descriptor)))
                .isEqualTo(oracle(file, alg, blockSize, salt));
        assertThat(VerityDigest.dataSize(descriptor)).isEqualTo(size);
        assertThat(VerityDigest.algorithmOf(descriptor)).isEqualTo(hash);
    }

    @Test
    void descriptor_blockSizeBelow1024_failsEinval() {
        assertThatThrownBy(() -> VerityDigest.descriptor(VerityDigest.HashAlg.SHA256, 9, new byte[0], 1,
                (into, length, offset) -> { }, VerityDigest.Progress.NONE))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void descriptor_saltOver32Bytes_failsEmsgsize() {
        assertThatThrownBy(() -> VerityDigest.descriptor(VerityDigest.HashAlg.SHA256, 12, new byte[33], 1,
                (into, length, offset) -> { }, VerityDigest.Progress.NONE))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EMSGSIZE));
    }

    @Test
    void levels_followTheKernelsCount() {
        assertThat(VerityDigest.levels(0, 4096, 32)).isZero();
        assertThat(VerityDigest.levels(4096, 4096, 32)).isZero();
        assertThat(VerityDigest.levels(4097, 4096, 32)).isEqualTo(1);
        assertThat(VerityDigest.levels(128L * 4096, 4096, 32)).isEqualTo(1);
        assertThat(VerityDigest.levels(128L * 4096 + 1, 4096, 32)).isEqualTo(2);
    }

    private Path randomFile(long size) throws IOException {
        Path file = dir.resolve("f" + size);
        byte[] bytes = new byte[(int) size];
        new Random(size).nextBytes(bytes);
        Files.write(file, bytes);
        return file;
    }

    /** {@code fsverity digest --compact}: the hex digest alone. */
    static String oracle(Path file, String alg, int blockSize, String salt) throws Exception {
        Path tool = Path.of("/usr/bin/fsverity");
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(Files.isExecutable(tool), "fsverity-utils is not installed (apt-get install fsverity)");
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(tool.toString(), "digest", "--compact",
                "--hash-alg=" + alg, "--block-size=" + blockSize));
        if (!salt.isEmpty()) {
            cmd.add("--salt=" + salt);
        }
        cmd.add(file.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
        return out;
    }
}

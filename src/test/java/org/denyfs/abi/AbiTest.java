package org.denyfs.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** denyfs_abi.h is the authority; abi.Abi must say the same, to the bit. */
class AbiTest {
    private static final Path HEADER = Path.of("src/main/c/include/denyfs_abi.h");

    @Test
    void abi_matchesTheCHeader_asCompiled() throws Exception {
        Path bin = Files.createTempFile("abi_print", "");
        try {
            run("gcc", "-Isrc/main/c/include", "-o", bin.toString(), "native-test/src/abi_print.c");
            Map<String, Object> compiled = new LinkedHashMap<>();
            for (String line : run(bin.toString()).split("\n")) {
                String[] kv = line.split("=", 2);
                compiled.put(kv[0], kv[1].matches("-?\\d+") ? (Object) Integer.parseInt(kv[1]) : kv[1]);
            }
            assertThat(Abi.asMap()).isEqualTo(compiled);
        } finally {
            Files.deleteIfExists(bin);
        }
    }

    @Test
    void abi_coversEveryDefineOfTheHeader() throws IOException {
        Matcher m = Pattern.compile("#define (DENYFS_\\w+) ").matcher(Files.readString(HEADER));
        Map<String, Object> abi = Abi.asMap();
        while (m.find()) {
            if (!m.group(1).equals("DENYFS_IOC_MAGIC")) {
                assertThat(abi).containsKey(m.group(1));
            }
        }
    }

    @Test
    void ioctlNumbers_followTheKernelFormula() {
        // _IOR('D', 1, int32_t) from include/uapi/asm-generic/ioctl.h, worked by hand
        assertThat(Abi.IOC_QUERY).isEqualTo(0x80044401);
        assertThat(Abi.Ioctl.size(Abi.IOC_DENY)).isEqualTo(4);
        assertThat(Abi.Ioctl.iow('D', 5, 8)).isEqualTo(0x40084405);
        // _IOR('D', 6, int64_t): request_firmware through the mount, the bytes read written back
        assertThat(Abi.IOC_FIRMWARE).isEqualTo(0x80084406);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}

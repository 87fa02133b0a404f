package com.example.installer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.denyfs.testkit.Denyfs;
import org.denyfs.testkit.DenyfsException;
import org.denyfs.testkit.DenyfsMount;
import org.junit.jupiter.api.Test;

/**
 * The installer on a real denyfs mount: Linux's ETXTBSY rules on files this test controls, with no
 * need to run the real program. A hold stands for the running program (execve denies writes).
 */
class InstallerIT {
    @Test
    void overwrite_whileTheProgramRuns_failsWithTextFileBusy(@DenyfsMount Denyfs denyfs) {
        Path app = denyfs.write("bin/app", "v1");
        try (Denyfs.Hold running = denyfs.hold(app)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> Installer.overwrite(app, bytes("v2")));
            assertTrue(e.getMessage().contains("Text file busy"), e.getMessage());
        }
    }

    @Test
    void replace_whileTheProgramRuns_installsTheNewVersion(@DenyfsMount Denyfs denyfs) throws IOException {
        Path app = denyfs.write("bin/app", "v1");
        try (Denyfs.Hold running = denyfs.hold(app)) {
            Installer.replace(app, bytes("v2"));
            assertArrayEquals(bytes("v2"), Files.readAllBytes(app));
            assertEquals(0, denyfs.query(app), "the new inode is not the running one");
        }
    }

    @Test
    void replace_ofARealRunningProgram_works(@DenyfsMount Denyfs denyfs) throws Exception {
        Path app = denyfs.path("sleep");
        Files.copy(Path.of("/bin/sleep"), app);
        Process running = new ProcessBuilder(app.toString(), "600").start();
        try {
            denyfs.awaitCount(app, -1, Duration.ofSeconds(10)); // execve's deny reaches the daemon
            assertThrows(FileSystemException.class, () -> Installer.overwrite(app, bytes("x")));
            Installer.replace(app, Files.readAllBytes(Path.of("/bin/true")));
        } finally {
            running.destroy();
            running.waitFor();
        }
    }

    @Test
    void deny_whileTheInstallerWrites_isRefused(@DenyfsMount Denyfs denyfs) throws IOException {
        Path app = denyfs.write("bin/app", "v1");
        try (var writer = Files.newOutputStream(app)) {
            DenyfsException e = assertThrows(DenyfsException.class, () -> denyfs.deny(app));
            assertEquals("ETXTBSY", e.errno());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}

package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.denyfs.core.InodeKey;
import org.denyfs.kernel.module.Modules;
import org.denyfs.testing.ModuleTree;
import org.denyfs.user.client.Client;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A control request races an attacker who swaps a path between a file inside BACKING and one
 * outside it (native-test/src/swapper.c, a real process: a symlink replaced by rename over it, or a
 * directory exchanged with a symlink by RENAME_EXCHANGE). The daemon resolves each PATH once,
 * beneath the backing root, and acts on that descriptor, so a request lands on the inside file or
 * is refused ("resolves outside the mount"), and never reaches the outside one: a deny never
 * counts on the outside inode, a finit never loads the module placed outside.
 *
 * <p>{@value #DEFAULT_ROUNDS} rounds per case in CI (a few seconds); {@code -Ddenyfs.race.rounds=N}
 * runs longer.
 */
class ControlPathRaceIT {
    static final int DEFAULT_ROUNDS = 2000;
    private static final int ROUNDS = Integer.getInteger("denyfs.race.rounds", DEFAULT_ROUNDS);

    /** The swapper, started in {@code cwd} with names relative to it; {@link #stop} says how often it swapped. */
    private static final class Swapper implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;

        Swapper(Path cwd, String... args) throws IOException {
            List<String> cmd = new java.util.ArrayList<>(List.of(Proc.tool("swapper").toString()));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"ready".equals(line)) {
                close();
                throw new AssertionError("swapper did not start: " + line);
            }
        }

        long stop() throws IOException, InterruptedException {
            process.toHandle().destroy(); // SIGTERM (Process.destroy would close its stdout): it prints the count
            String line = out.readLine();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(line).as("swapper's last line").startsWith("swaps=");
            return Long.parseLong(line.substring("swaps=".length()));
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static InodeKey keyOf(Path file) throws IOException {
        return new InodeKey((Long) Files.getAttribute(file, "unix:dev"), (Long) Files.getAttribute(file, "unix:ino"));
    }

    /**
     * Lays out the race in {@code backing} (and {@code outside}, its sibling): {@code mode} "symlink"
     * races "link", {@code mode} "exchange" races the directory "d"; returns the swapper's arguments
     * and the request path.
     */
    private static String[] layout(String mode, Path backing, String insideRel, String name) throws IOException {
        if (mode.equals("symlink")) {
            Files.createSymbolicLink(backing.resolve("link"), Path.of(insideRel));
            return new String[] {"symlink", "link", insideRel + ":../outside/" + name, "link"};
        }
        Files.createDirectories(backing.resolve("d"));
        Files.copy(backing.resolve(insideRel), backing.resolve("d").resolve(name));
        Files.createSymbolicLink(backing.resolve("d.swap"), Path.of("../outside"));
        return new String[] {"exchange", "d", "d.swap", "d/" + name};
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"symlink", "exchange"})
    void deny_whileASymlinkIsSwappedInAndOut_neverLandsOnTheOutsideInode(String mode) throws Exception {
        try (LiveMount m = LiveMount.start()) {
            Path outside = m.dir.resolve("outside");
            Files.createDirectories(outside);
            Files.writeString(outside.resolve("f"), "outside");
            Files.writeString(m.backing.resolve("f"), "inside");
            String[] race = layout(mode, m.backing, "f", "f");
            InodeKey outsideKey = keyOf(outside.resolve("f"));
            InodeKey insideKey = keyOf(m.backing.resolve(mode.equals("symlink") ? "f" : "d/f"));
            Map<String, Integer> replies = new TreeMap<>();
            long swaps;
            try (Client c = Client.open(m.mnt); Swapper swapper = new Swapper(m.backing, race[0], race[1], race[2])) {
                for (int i = 0; i < ROUNDS; i++) {
                    String reply = c.request("deny " + race[3]);
                    replies.merge(reply.replaceAll("-?\\d+$", "N"), 1, Integer::sum);
                }
                swaps = swapper.stop();
                int escapes = -m.mount.view().count(outsideKey);
                System.out.printf("deny race (%s): %d rounds, %d swaps, %d escapes, replies %s%n",
                        mode, ROUNDS, swaps, escapes, replies);
                assertThat(escapes).as("denies counted on the outside inode").isZero();
                // every deny that was granted is on the inside file, every other one refused as outside
                int inside = replies.getOrDefault("ok N", 0);
                int refused = replies.getOrDefault("err EINVAL " + race[3] + ": resolves outside the mount", 0);
                assertThat(inside + refused).as("replies " + replies).isEqualTo(ROUNDS);
                assertThat(inside).as("granted").isPositive();
                assertThat(refused).as("refused").isPositive();
                assertThat(m.mount.view().count(insideKey)).isEqualTo(-inside);
            }
            assertThat(swaps).isGreaterThan(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"symlink", "exchange"})
    void finit_whileASymlinkIsSwappedInAndOut_neverLoadsTheModuleOutside(String mode) throws Exception {
        ModuleTree tree = ModuleTree.require();
        Path dir = Files.createTempDirectory("denyfs-race-");
        try {
            // inside: crc32c_intel; outside, under the same file name: crc32_pclmul. Neither needs another module.
            Path backing = dir.resolve("backing");
            Path modules = backing.resolve("lib/modules").resolve(tree.release());
            Files.createDirectories(modules);
            Files.copy(tree.root().resolve(tree.ko("crc32c-intel")), modules.resolve("crc32c-intel.ko"));
            Files.copy(tree.root().resolve(tree.ko("crc32c-intel")), backing.resolve("m.ko"));
            Files.createDirectories(dir.resolve("outside"));
            Files.copy(tree.root().resolve(tree.ko("crc32-pclmul")), dir.resolve("outside/m.ko"));
            String[] race = layout(mode, backing, "m.ko", "m.ko");
            Map<String, Integer> replies = new TreeMap<>();
            int escapes = 0;
            try (LiveMount m = LiveMount.over(backing, "init_ms=0"); Client c = Client.open(m.mnt);
                    Swapper swapper = new Swapper(backing, race[0], race[1], race[2])) {
                Modules kernel = m.mount.view().modules();
                for (int i = 0; i < ROUNDS; i++) {
                    String reply = c.request("finit " + race[3]);
                    replies.merge(reply.startsWith("err EEXIST") ? "err EEXIST" : reply, 1, Integer::sum);
                    if (kernel.procModules().contains("crc32_pclmul ")) {
                        escapes++;
                        kernel.deleteModule("crc32_pclmul", Modules.O_NONBLOCK); // so the next escape shows too
                    }
                }
                long swaps = swapper.stop();
                System.out.printf("finit race (%s): %d rounds, %d swaps, %d escapes, replies %s%n",
                        mode, ROUNDS, swaps, escapes, replies);
                assertThat(escapes).as("loads of the module outside BACKING").isZero();
                assertThat(kernel.procModules()).contains("crc32c_intel ").doesNotContain("crc32_pclmul");
                int inside = replies.getOrDefault("ok 0", 0) + replies.getOrDefault("err EEXIST", 0);
                int refused = replies.getOrDefault("err EINVAL " + race[3] + ": resolves outside the mount", 0);
                assertThat(inside + refused).as("replies " + replies).isEqualTo(ROUNDS);
                assertThat(replies.get("ok 0")).isEqualTo(1);
                assertThat(refused).as("refused").isPositive();
            }
        } finally {
            try (var all = Files.walk(dir)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

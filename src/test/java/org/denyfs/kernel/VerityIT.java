package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.denyfs.testing.ModuleTree;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * fs-verity on a real mount, driven by Debian's {@code fsverity} (fsverity-utils 1.5) as the outside
 * oracle: {@code fsverity enable MNT/f} through FUSE's ioctl forwarding, {@code fsverity measure MNT/f}
 * against {@code fsverity digest BACKING/f}, and the rules of fs/verity/enable.c with real processes.
 */
class VerityIT {
    private static final Path FSVERITY = Path.of("/usr/bin/fsverity");

    @BeforeAll
    static void tool() {
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(Files.isExecutable(FSVERITY), "fsverity-utils is not installed (apt-get install fsverity)");
        }
    }

    private static Proc.Result fsverity(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>(List.of(FSVERITY.toString()));
        cmd.addAll(List.of(args));
        return Proc.run(cwd, cmd);
    }

    private static void randomFile(Path file, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        Files.write(file, bytes);
    }

    @Test
    void fsverityEnable_throughTheMount_measuresWhatFsverityDigestComputes() throws IOException {
        int[] sizes = {0, 1, 4096, 4097, (1 << 20) + 12345};
        String[][] options = {{}, {"--hash-alg=sha512"}, {"--block-size=1024", "--salt=00112233"},
                {"--hash-alg=sha512", "--block-size=2048", "--salt=" + "5a".repeat(32)}};
        try (LiveMount m = LiveMount.start()) {
            for (int size : sizes) {
                for (int o = 0; o < options.length; o++) {
                    String name = "f" + size + "-" + o;
                    randomFile(m.backing.resolve(name), size);
                    List<String> digest = new ArrayList<>(List.of("digest", "--compact"));
                    digest.addAll(List.of(options[o]));
                    digest.add(m.backing.resolve(name).toString());
                    Proc.Result oracle = fsverity(m.dir, digest.toArray(String[]::new));
                    assertThat(oracle.status()).as(oracle.all()).isZero();
                    List<String> enable = new ArrayList<>(List.of("enable"));
                    enable.addAll(List.of(options[o]));
                    enable.add(name);
                    Proc.Result enabled = fsverity(m.mnt, enable.toArray(String[]::new));
                    assertThat(enabled.status()).as("%s: %s", enable, enabled.all()).isZero();
                    Proc.Result measured = fsverity(m.mnt, "measure", name);
                    String alg = List.of(options[o]).contains("--hash-alg=sha512") ? "sha512" : "sha256";
                    assertThat(measured.out()).as(name).isEqualTo(alg + ":" + oracle.out().strip() + " " + name + "\n");
                }
            }
        }
    }

    @Test
    void fsverityEnable_thenOpenForWriteOrTruncate_failsEperm_andReadsStillWork() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            Path f = m.file("f", "immutable now\n");
            assertThat(fsverity(m.mnt, "enable", "f").status()).isZero();
            assertThat(Proc.sh(m.mnt, "echo x >> f").err()).contains("Operation not permitted");
            assertThat(Proc.sh(m.mnt, "echo x > f").err()).contains("Operation not permitted");
            assertThat(Proc.run(m.mnt, List.of("truncate", "-s", "0", "f")).err()).contains("Operation not permitted");
            assertThat(Files.readString(f)).isEqualTo("immutable now\n");
            // a hard link is the same inode: the same rule
            Files.createLink(m.backing.resolve("link"), m.backing.resolve("f"));
            assertThat(Proc.sh(m.mnt, "echo x >> link").err()).contains("Operation not permitted");
            // a copy is a new inode without verity
            assertThat(Proc.sh(m.mnt, "cp f copy && echo x >> copy").status()).isZero();
            assertThat(fsverity(m.mnt, "measure", "copy").err()).contains("No data available");
        }
    }

    @Test
    void fsverityEnable_twice_failsEexist() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            m.file("f", "once\n");
            assertThat(fsverity(m.mnt, "enable", "f").status()).isZero();
            Proc.Result again = fsverity(m.mnt, "enable", "f");
            assertThat(again.status()).isNotZero();
            assertThat(again.err()).contains("File exists");
        }
    }

    @Test
    void fsverityEnable_whileAWriterHoldsTheFile_failsEtxtbsy() throws Exception {
        try (LiveMount m = LiveMount.start()) {
            m.file("f", "written\n");
            try (Holder writer = Holder.sh(m.mnt, "exec 3>>f")) {
                Proc.Result r = fsverity(m.mnt, "enable", "f");
                assertThat(r.status()).isNotZero();
                assertThat(r.err()).contains("Text file busy");
            }
            LiveMount.await("the writer's release", java.time.Duration.ofSeconds(30), () -> count(m) == 0);
            assertThat(fsverity(m.mnt, "enable", "f").status()).isZero(); // the writer gone, it works
        }
    }

    @Test
    void fsverityEnable_onAReadOnlyMount_failsErofs() throws IOException {
        try (LiveMount m = LiveMount.start("ro")) {
            m.file("f", "read-only\n");
            Proc.Result r = fsverity(m.mnt, "enable", "f");
            assertThat(r.status()).isNotZero();
            assertThat(r.err()).contains("Read-only file system");
        }
    }

    @Test
    void fsverityMeasure_withoutVerity_failsEnodata() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            m.file("f", "plain\n");
            Proc.Result r = fsverity(m.mnt, "measure", "f");
            assertThat(r.status()).isNotZero();
            assertThat(r.err()).contains("No data available");
        }
    }

    @Test
    void fsverityEnable_isKeptAcrossRemounts_andHiddenFromXattrCalls() throws IOException {
        Path backing = Files.createTempDirectory("denyfs-verity-");
        try {
            randomFile(backing.resolve("f"), 10000);
            String measured;
            try (LiveMount m = LiveMount.over(backing, "")) {
                assertThat(fsverity(m.mnt, "enable", "f").status()).isZero();
                measured = fsverity(m.mnt, "measure", "f").out();
            }
            try (LiveMount m = LiveMount.over(backing, "")) {
                assertThat(fsverity(m.mnt, "measure", "f").out()).isEqualTo(measured);
                assertThat(Proc.sh(m.mnt, "echo x >> f").err()).contains("Operation not permitted");
                // nobody reads, forges or removes the state through the mount, root included
                assertThat(Proc.sh(m.mnt, "getfattr -d -m - f").out()).doesNotContain("denyfs");
                assertThat(Proc.sh(m.mnt, "getfattr -n trusted.denyfs.verity f").err()).contains("No such attribute");
                assertThat(Proc.sh(m.mnt, "setfattr -n trusted.denyfs.verity -v 0 f").err()).contains("Operation not permitted");
                assertThat(Proc.sh(m.mnt, "setfattr -x trusted.denyfs.verity f").err()).contains("No such attribute");
                assertThat(fsverity(m.mnt, "measure", "f").out()).isEqualTo(measured);
            }
        } finally {
            Proc.run(Path.of("/"), List.of("rm", "-rf", backing.toString()));
        }
    }

    /**
     * The seed commit's text: "loading a module while verity is being enabled on it may fail". An
     * enable is held (deterministically, in the daemon) after its deny_write_access; meanwhile a
     * finit_module of the same file gets ETXTBSY under the exclusive policy, and under plain and
     * idempotent its kernel_read_file deny stacks on verity's and the module loads.
     */
    @Test
    void finitModule_whileVerityIsBeingEnabled_exclusiveFailsEtxtbsy_plainAndIdempotentStack() throws Exception {
        ModuleTree tree = ModuleTree.require();
        Path backing = Files.createTempDirectory("denyfs-verity-mod-");
        try {
            Path ko = backing.resolve(tree.ko("cryptd"));
            Files.createDirectories(ko.getParent());
            Files.copy(tree.root().resolve(tree.ko("cryptd")), ko);
            try (LiveMount m = LiveMount.over(backing, "policy=exclusive,init_ms=0"); Client c = Client.open(m.mnt)) {
                CountDownLatch reached = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                m.mount.view().onVerityBuild(key -> {
                    reached.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                Process enable = new ProcessBuilder(FSVERITY.toString(), "enable", tree.ko("cryptd"))
                        .directory(m.mnt.toFile()).redirectErrorStream(true).start();
                try {
                    assertThat(reached.await(60, TimeUnit.SECONDS)).as("the enable reached its build").isTrue();
                    assertThat(c.request("query " + tree.ko("cryptd"))).isEqualTo("ok -1");
                    assertThat(c.request("holders " + tree.ko("cryptd"))).startsWith("ok verity pid=");
                    assertThat(c.request("finit " + tree.ko("cryptd"))).startsWith("err ETXTBSY");
                    assertThat(c.request("policy plain")).isEqualTo("ok plain");
                    assertThat(c.request("finit " + tree.ko("cryptd"))).isEqualTo("ok 0");
                    assertThat(c.request("delete cryptd 2048")).isEqualTo("ok 0");
                    assertThat(c.request("policy idempotent")).isEqualTo("ok idempotent");
                    assertThat(c.request("finit " + tree.ko("cryptd"))).isEqualTo("ok 0");
                    assertThat(c.request("query " + tree.ko("cryptd"))).isEqualTo("ok -1"); // each deny given back
                } finally {
                    release.countDown();
                    m.mount.view().onVerityBuild(null);
                }
                assertThat(enable.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(enable.exitValue()).as(new String(enable.getInputStream().readAllBytes())).isZero();
                assertThat(c.request("query " + tree.ko("cryptd"))).isEqualTo("ok 0");
                assertThat(c.request("status")).contains("verity_enabled=1");
            }
        } finally {
            Proc.run(Path.of("/"), List.of("rm", "-rf", backing.toString()));
        }
    }

    private static String verityIoctl(LiveMount m, String file, String mode, String call) {
        return Proc.run(m.mnt, List.of(Proc.tool("verityioctl").toString(), file, mode, call)).out().strip();
    }

    @Test
    void enableVerity_onAnFdWithoutRead_failsEbadf_onAnFdThatWrites_failsEtxtbsy() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            m.file("f", "data\n");
            assertThat(verityIoctl(m, "f", "wo", "enable")).isEqualTo("err EBADF");
            assertThat(verityIoctl(m, "f", "rw", "enable")).isEqualTo("err ETXTBSY"); // the fd's own write access
            assertThat(verityIoctl(m, "f", "ro", "enable")).isEqualTo("ok");
            assertThat(verityIoctl(m, "f", "ro", "measure")).isEqualTo("ok 1 32");
            assertThat(verityIoctl(m, "f", "ro", "measure-short")).isEqualTo("err EOVERFLOW");
            assertThat(m.count("f")).isZero(); // the enable's deny was given back
        }
    }

    @Test
    void enableVerity_byAUserWithoutWritePermission_failsEacces() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            m.file("f", "data\n");
            Files.setPosixFilePermissions(m.backing.resolve("f"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Proc.Result r = Proc.sh(m.mnt, "setpriv --reuid=65534 --regid=65534 --clear-groups "
                    + Proc.tool("verityioctl") + " f ro enable");
            assertThat(r.out().strip()).isEqualTo("err EACCES");
            assertThat(fsverity(m.mnt, "measure", "f").err()).contains("No data available");
        }
    }

    private static int count(LiveMount m) {
        try {
            return m.count("f");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.denyfs.kernel.control.Session;
import org.denyfs.kernel.module.Modules;
import org.denyfs.testing.ModuleTree;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Test;

/**
 * The daemon's memory, which no caller may exhaust, on real mounts driven by real processes: the
 * permission check and the limits come before any allocation, uploads and reads count against the
 * same budget, and a handle that goes gives its bytes back at once. The mount is served in this
 * JVM, so the daemon's RSS is this JVM's VmRSS (bounds are generous: a refused 1 GiB buffer would
 * add a whole GiB).
 */
class ModuleMemoryIT {
    private static final long MIB = 1 << 20;

    private static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS in /proc/self/status");
    }

    private static String field(String status, String name) {
        for (String f : status.split(" ")) {
            if (f.startsWith(name + "=")) {
                return f.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " not in " + status);
    }

    @Test
    void init_ofOneGib_byUid65534_failsEpermAtOnce_andTheDaemonAllocatesNothing() throws Exception {
        try (LiveMount m = LiveMount.start()) {
            long before = rssBytes();
            // two handles, each announcing 1 GiB and kept open: the old daemon zeroed 1 GiB for each
            String script = "exec 3<>.denyfs/control 4<>.denyfs/control"
                    + " && echo 'init 1073741824' >&3 && read -r a <&3 && echo 'init 1073741824' >&4 && read -r b <&4"
                    + " && echo ready && echo \"$a|$b\" && read go";
            try (Holder nobody = Holder.start(m.mnt, List.of("setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "sh", "-c", script), "ready")) {
                String eperm = "err EPERM init_module: uid 65534 lacks CAP_SYS_MODULE";
                assertThat(nobody.line()).isEqualTo(eperm + "|" + eperm);
                long during = rssBytes();
                System.out.printf("init 1 GiB x 2 as uid 65534: daemon RSS %d MiB before, %d MiB with both handles open%n",
                        before / MIB, during / MIB);
                assertThat(m.mount.view().modules().bytesInFlight()).isZero();
                assertThat(during - before).as("RSS growth").isLessThan(256 * MIB);
            }
        }
    }

    @Test
    void init_asRoot_overTheImageLimit_failsEnomemWithoutAllocating_andStatusShowsTheLimits() throws Exception {
        try (LiveMount m = LiveMount.start(); Client c = Client.open(m.mnt)) {
            String status = c.request("status");
            assertThat(field(status, "module_bytes_max")).isEqualTo(Long.toString(256 * MIB));
            assertThat(field(status, "inflight_bytes_max")).isEqualTo(Long.toString(1024 * MIB));
            assertThat(field(status, "inflight_bytes_per_uid_max")).isEqualTo(Long.toString(768 * MIB));
            assertThat(field(status, "inflight_bytes")).isEqualTo("0");
            long before = rssBytes();
            try (Client big = Client.open(m.mnt)) {
                assertThat(big.request("init 1073741824")).isEqualTo(
                        "err ENOMEM init_module: vmalloc of 1073741824 bytes: over max_module_bytes=268435456");
                long during = rssBytes();
                System.out.printf("init 1 GiB as root: daemon RSS %d MiB before, %d MiB after the refusal%n",
                        before / MIB, during / MIB);
                assertThat(during - before).as("RSS growth").isLessThan(256 * MIB);
            }
            assertThat(field(c.request("status"), "inflight_bytes_peak")).isEqualTo("0");
        }
    }

    @Test
    void init_pastTheBytesAUidMayHoldInFlight_failsEnomem() throws Exception {
        try (LiveMount m = LiveMount.over(Files.createTempDirectory("denyfs-mem-"),
                "max_module_bytes=1M,max_inflight_bytes_per_uid=2M,max_inflight_bytes=8M");
                Client a = Client.open(m.mnt); Client b = Client.open(m.mnt); Client c = Client.open(m.mnt);
                Client d = Client.open(m.mnt)) {
            try {
                Modules kernel = m.mount.view().modules();
                // an accepted upload has no reply until its image is complete (a read finds nothing)
                assertThat(a.request("init 1048576")).isEmpty();
                assertThat(b.request("init 1048576")).isEmpty();
                assertThat(kernel.bytesInFlight(0)).isEqualTo(2 * MIB);
                assertThat(c.request("init 1048576")).isEqualTo("err ENOMEM vmalloc of 1048576 bytes:"
                        + " uid 0 has 2097152 bytes of module images in flight, max_inflight_bytes_per_uid=2097152");
                // (c now skips the 1 MiB its refused image would have been: a new handle asks)
                assertThat(d.request("init 1048577")).isEqualTo(
                        "err ENOMEM init_module: vmalloc of 1048577 bytes: over max_module_bytes=1048576");
            } finally {
                removeTree(m.backing);
            }
        }
    }

    @Test
    void finit_whileUploadsHoldTheTotal_failsEnomem_andABiggerFileThanTheLimitIsEfbig() throws Exception {
        ModuleTree tree = ModuleTree.require();
        try (LiveMount m = LiveMount.over(tree.root(),
                "init_ms=0,max_module_bytes=2M,max_inflight_bytes_per_uid=8M,max_inflight_bytes=3M");
                Client a = Client.open(m.mnt); Client c = Client.open(m.mnt)) {
            assertThat(c.request("finit " + tree.ko("xfs"))).isEqualTo(
                    "err EFBIG kernel_read_file: " + Files.size(tree.root().resolve(tree.ko("xfs")))
                            + " bytes is over max_module_bytes=2097152");
            assertThat(a.request("init 2097152")).isEmpty();
            long sunrpc = Files.size(tree.root().resolve(tree.ko("sunrpc")));
            assertThat(sunrpc).isBetween(MIB, 2 * MIB); // within the image limit, not within the 1 MiB left
            assertThat(c.request("finit " + tree.ko("sunrpc"))).isEqualTo("err ENOMEM vmalloc of " + sunrpc
                    + " bytes: 2097152 bytes of module images in flight, max_inflight_bytes=3145728");
            a.close();
            LiveMount.await("the upload's bytes to come back", Duration.ofSeconds(30),
                    () -> m.mount.view().modules().bytesInFlight() == 0);
            assertThat(c.request("finit " + tree.ko("sunrpc"))).isEqualTo("ok 0");
        }
    }

    @Test
    void upload_ofAProcessKilledMidway_givesItsBytesBack() throws Exception {
        try (LiveMount m = LiveMount.start(); Client c = Client.open(m.mnt)) {
            Modules kernel = m.mount.view().modules();
            try (Holder uploader = Holder.sh(m.mnt,
                    "exec 3<>.denyfs/control && printf 'init 8388608\\n' >&3 && head -c 100000 /dev/zero >&3")) {
                assertThat(kernel.bytesInFlight()).isEqualTo(8 * MIB);
                assertThat(field(c.request("status"), "inflight_bytes")).isEqualTo(Long.toString(8 * MIB));
                uploader.kill();
                LiveMount.await("the killed uploader's bytes to come back", Duration.ofSeconds(30),
                        () -> kernel.bytesInFlight() == 0);
            }
            assertThat(field(c.request("status"), "inflight_bytes")).isEqualTo("0");
            assertThat(field(c.request("status"), "inflight_bytes_peak")).isEqualTo(Long.toString(8 * MIB));
            assertThat(kernel.callsTable()).contains("init_module\t-\tEFAULT\t1");
        }
    }

    @Test
    void write_ofMoreRequestsThanAHandleMayHold_isShort() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            m.file("f", "");
            String line = "query f\n";
            Path payload = m.dir.resolve("payload");
            Files.writeString(payload, line.repeat(Session.MAX_BACKLOG + 100));
            Proc.Result r = Proc.run(m.mnt, List.of(Proc.tool("onewrite").toString(), m.mnt.toString(), payload.toString()));
            assertThat(r.out()).isEqualTo("short write " + line.length() * Session.MAX_BACKLOG + " of "
                    + line.length() * (Session.MAX_BACKLOG + 100) + "\n");
        }
    }

    private static void removeTree(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.denyfs.testing.ModuleTree;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulated kernel on a real mount over Debian's module tree, driven by real processes through
 * the control file and the FINIT ioctl. One mount per test, so every module table starts empty.
 */
class ModulesIT {
    private static ModuleTree tree;

    @BeforeAll
    static void tree() {
        tree = ModuleTree.require();
    }

    private static String read(LiveMount m, String view) throws IOException {
        return Files.readString(m.mnt.resolve(".denyfs").resolve(view));
    }

    private static String statLine(String stats, String name) {
        return stats.lines().filter(l -> l.strip().startsWith(name)).findFirst().orElseThrow().strip();
    }

    @Test
    void finitModule_throughTheControlFile_showsTheModuleLive() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "init_ms=0"); Client c = Client.open(m.mnt)) {
            assertThat(c.request("finit " + tree.ko("crc32c-intel"))).isEqualTo("ok 0");
            assertThat(read(m, "proc/modules")).matches("crc32c_intel \\d+ 0 - Live 0x0000000000000000\\s*\\n");
            assertThat(read(m, "sys/module/crc32c_intel/initstate")).isEqualTo("live\n");
            assertThat(read(m, "sys/module/crc32c_intel/refcnt")).isEqualTo("0\n");
            assertThat(statLine(read(m, "stats"), "Mods ever loaded")).isEqualTo("Mods ever loaded\t1");
            assertThat(c.request("finit " + tree.ko("crc32c-intel"))).startsWith("err EEXIST");
        }
    }

    @Test
    void deleteModule_whileAnotherUsesIt_failsEwouldblock_thenUnloadsInOrder() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "init_ms=0"); Client c = Client.open(m.mnt)) {
            assertThat(c.request("finit " + tree.ko("aesni-intel"))).startsWith("err ENOENT"); // crypto_simd missing
            assertThat(c.request("finit " + tree.ko("cryptd"))).isEqualTo("ok 0");
            assertThat(c.request("finit " + tree.ko("crypto_simd"))).isEqualTo("ok 0");
            assertThat(read(m, "proc/modules")).contains("cryptd ").contains(" 1 crypto_simd, Live");
            assertThat(Files.readSymbolicLink(m.mnt.resolve(".denyfs/sys/module/cryptd/holders/crypto_simd")))
                    .isEqualTo(Path.of("../../crypto_simd"));
            assertThat(c.request("delete cryptd 2048")).startsWith("err EAGAIN");
            assertThat(c.request("delete crypto_simd 2048")).isEqualTo("ok 0");
            assertThat(c.request("delete cryptd 2048")).isEqualTo("ok 0");
            assertThat(c.request("delete cryptd 2048")).startsWith("err ENOENT");
            assertThat(read(m, "proc/modules")).isEmpty();
        }
    }

    @Test
    void finitModule_byNonRoot_failsEperm() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "init_ms=0")) {
            Proc.Result r = Proc.sh(m.mnt, "setpriv --reuid=65534 --regid=65534 --clear-groups "
                    + Proc.tool("ctlreq") + " " + m.mnt + " finit " + tree.ko("cryptd"));
            assertThat(r.out()).startsWith("err EPERM finit_module: uid 65534 lacks CAP_SYS_MODULE");
        }
    }

    @Test
    void finitModule_whileOpenForWrite_failsEtxtbsy() throws Exception {
        try (LiveMount m = LiveMount.over(tree.root(), "init_ms=0");
                Holder writer = Holder.sh(m.mnt, "exec 3>>" + tree.ko("cryptd"));
                Client c = Client.open(m.mnt)) {
            assertThat(c.request("finit " + tree.ko("cryptd"))).startsWith("err ETXTBSY");
        }
    }

    @Test
    void policy_switchesAtRunTime() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "policy=plain"); Client c = Client.open(m.mnt)) {
            assertThat(c.request("policy")).isEqualTo("ok plain");
            assertThat(c.request("policy exclusive")).isEqualTo("ok exclusive");
            assertThat(c.request("policy exclusive-read")).isEqualTo("ok exclusive-read");
            assertThat(c.request("policy bogus")).startsWith("err EINVAL");
            assertThat(c.request("policy")).isEqualTo("ok exclusive-read");
        }
    }

    /** N processes load one file at once; the first is COMING when the others start. */
    private static String race(LiveMount m, String file, String name, int n) {
        Proc.Result r = Proc.run(m.mnt, List.of(Proc.tool("finitrace").toString(), m.mnt.toString(), file, name,
                Integer.toString(n)));
        assertThat(r.err()).isEmpty();
        return r.out().trim();
    }

    @Test
    void finitModule_plainPolicy_concurrentSameFile_oneLoadsTheRestWaitForEexist_andWasteMemory() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "policy=plain,init_ms=1500")) {
            assertThat(race(m, tree.ko("cryptd"), "cryptd", 6)).isEqualTo("ok=1 EEXIST=5 ETXTBSY=0 other=0");
            String stats = read(m, "stats");
            assertThat(statLine(stats, "Mods failed on becoming")).isEqualTo("Mods failed on becoming\t5");
            assertThat(Long.parseLong(statLine(stats, "Virtual mem wasted bytes").split("\t")[1])).isPositive();
            assertThat(Long.parseLong(statLine(stats, "Peak bytes in flight").split("\t")[1])).isPositive();
            assertThat(stats).contains("Duplicate failed modules:");
        }
    }

    @Test
    void finitModule_exclusivePolicy_concurrentSameFile_failsEtxtbsyAtOnce_andWastesNothing() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "policy=exclusive,init_ms=1500")) {
            assertThat(race(m, tree.ko("cryptd"), "cryptd", 6)).isEqualTo("ok=1 EEXIST=0 ETXTBSY=5 other=0");
            assertThat(statLine(read(m, "stats"), "Virtual mem wasted bytes")).isEqualTo("Virtual mem wasted bytes\t0");
        }
    }

    @Test
    void finitModule_idempotentPolicy_concurrentSameFile_allSucceed_andWasteNothing() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "policy=idempotent,init_ms=1500")) {
            assertThat(race(m, tree.ko("cryptd"), "cryptd", 6)).isEqualTo("ok=6 EEXIST=0 ETXTBSY=0 other=0");
            String stats = read(m, "stats");
            assertThat(statLine(stats, "Virtual mem wasted bytes")).isEqualTo("Virtual mem wasted bytes\t0");
            assertThat(statLine(stats, "Mods ever loaded")).isEqualTo("Mods ever loaded\t1");
        }
    }

    /**
     * The seed table's second kernel: another process's exclusive read of the file (an xdeny held
     * through the control file, as a concurrent finit's read holds one) makes a load fail with
     * ETXTBSY at once, before it reads; once that reader lets go, the same load succeeds.
     */
    @Test
    void finitModule_exclusiveReadPolicy_whileAnotherProcessReadsExclusively_failsEtxtbsyAtOnce() throws Exception {
        try (LiveMount m = LiveMount.over(tree.root(), "policy=exclusive-read,init_ms=0"); Client c = Client.open(m.mnt)) {
            try (Holder reader = Holder.sh(m.mnt, "exec 3<>.denyfs/control && echo 'xdeny " + tree.ko("cryptd")
                    + "' >&3 && read -r r <&3 && [ \"$r\" = 'ok -1' ]")) {
                assertThat(c.request("finit " + tree.ko("cryptd"))).startsWith("err ETXTBSY");
                assertThat(reader.finish()).isZero();
            }
            String stats = read(m, "stats");
            assertThat(statLine(stats, "Mods failed on kread")).isEqualTo("Mods failed on kread\t1");
            assertThat(statLine(stats, "Virtual mem wasted bytes")).isEqualTo("Virtual mem wasted bytes\t0");
            assertThat(c.request("finit " + tree.ko("cryptd"))).isEqualTo("ok 0");
        }
    }

    /**
     * ... and what it still wasted: a load that starts once the first load's read is over (the first
     * is COMING, in init) reads the whole file, waits in the duplicate check and fails with EEXIST.
     */
    @Test
    void finitModule_exclusiveReadPolicy_loadStartingAfterTheRead_readsAgainAndFailsEexist() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "policy=exclusive-read,init_ms=1500")) {
            assertThat(race(m, tree.ko("cryptd"), "cryptd", 2)).isEqualTo("ok=1 EEXIST=1 ETXTBSY=0 other=0");
            String stats = read(m, "stats");
            assertThat(statLine(stats, "Mods failed on becoming")).isEqualTo("Mods failed on becoming\t1");
            assertThat(Long.parseLong(statLine(stats, "Failed becoming bytes").split("\t")[1])).isPositive();
            assertThat(statLine(stats, "Mods failed on kread")).isEqualTo("Mods failed on kread\t0");
        }
    }

    /**
     * Why the seed commit was reverted (REFERENCE section 4): two probes share a dependency; kmod
     * treats EEXIST as success but aborts a probe on any other error.
     */
    private static String sharedDependency(String policy) throws Exception {
        try (LiveMount m = LiveMount.over(tree.root(), "policy=" + policy + ",init_ms=1500")) {
            String probe = "for ko in \"$@\"; do r=$(" + Proc.tool("ctlreq") + " " + m.mnt + " finit $ko); "
                    + "case $r in 'ok 0'|'err EEXIST'*) ;; *) echo \"failed $ko: $r\"; exit 1;; esac; done; echo loaded";
            try (Holder first = Holder.start(m.mnt, List.of("sh", "-c", "echo ready; " + probe, "sh",
                    tree.ko("cryptd"), tree.ko("crypto_simd")), "ready")) {
                LiveMount.await("cryptd coming", Duration.ofSeconds(30), () -> {
                    try {
                        return read(m, "sys/module/cryptd/initstate").equals("coming\n");
                    } catch (IOException notYet) {
                        return false;
                    }
                });
                Proc.Result second = Proc.run(m.mnt, List.of("sh", "-c", probe, "sh", tree.ko("cryptd"), tree.ko("ghash-clmulni-intel")));
                assertThat(first.line()).isEqualTo("loaded");
                return second.out().trim();
            }
        }
    }

    @Test
    void finitModule_sharedDependency_exclusivePolicy_secondProbeFailsEtxtbsy() throws Exception {
        assertThat(sharedDependency("exclusive")).startsWith("failed " + tree.ko("cryptd") + ": err ETXTBSY");
    }

    @Test
    void finitModule_sharedDependency_plainPolicy_bothProbesLoad() throws Exception {
        assertThat(sharedDependency("plain")).isEqualTo("loaded");
    }

    @Test
    void finitModule_sharedDependency_exclusiveReadPolicy_bothProbesLoad() throws Exception {
        // the first's read of cryptd is over while it is COMING: the second reads it again, then EEXIST
        assertThat(sharedDependency("exclusive-read")).isEqualTo("loaded");
    }

    @Test
    void finitModule_sharedDependency_idempotentPolicy_bothProbesLoad() throws Exception {
        assertThat(sharedDependency("idempotent")).isEqualTo("loaded");
    }
}

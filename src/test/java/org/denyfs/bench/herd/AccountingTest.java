package org.denyfs.bench.herd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading what a herd leaves behind: the daemon's views, the launcher's report, the workers' words. */
class AccountingTest {
    @Test
    void stats_readsTheKernelsFiguresAndDenyfsOwn_stopsAtTheDuplicatesTable() {
        String text = "         Mods ever loaded\t15\n  Mods failed on becoming\t178\n"
                + " Virtual mem wasted bytes\t32747408\n     Peak bytes in flight\t6916705\n"
                + "Duplicate failed modules:\n              Module-name\t How-many-times\t                   Reason\n"
                + "                   cryptd\t              9\t                 Becoming\n";
        Map<String, Long> stats = Accounting.stats(text);
        assertThat(stats).containsEntry("Mods ever loaded", 15L).containsEntry("Virtual mem wasted bytes", 32747408L)
                .containsEntry("Peak bytes in flight", 6916705L).hasSize(4);
    }

    @Test
    void calls_skipsTheHeader_readsEveryRow() {
        List<Accounting.Call> calls = Accounting.calls("# call\tfile\tresult\tcount\tcpu_us\n"
                + "finit_module\tcryptd.ko\t0\t1\t2209\nfinit_module\tcryptd.ko\tETXTBSY\t30\t1200\n");
        assertThat(calls).containsExactly(new Accounting.Call("finit_module", "cryptd.ko", "0", 1, 2209),
                new Accounting.Call("finit_module", "cryptd.ko", "ETXTBSY", 30, 1200));
    }

    @Test
    void timeline_isMadeRelativeToTheRelease() {
        Accounting.Timeline t = Accounting.timeline(
                "# clock_monotonic_ns\tbytes_in_flight\tdropped=0\n1002000000\t4096\n1003500000\t0\n", 1_000_000_000L);
        assertThat(t.millis()).containsExactly(2.0, 3.5);
        assertThat(t.bytes()).containsExactly(4096, 0);
        assertThat(t.peak()).isEqualTo(4096);
        assertThat(t.dropped()).isZero();
        assertThat(Accounting.timeline("# clock_monotonic_ns\tbytes_in_flight\tdropped=7\n", 0).dropped()).isEqualTo(7);
    }

    @Test
    void failures_readsKmodsAndDenyfsLoadersMessages() {
        String log = "modprobe: ERROR: could not insert 'aesni_intel': Text file busy\n"
                + "modprobe: INFO: something else\n"
                + "modprobe: ERROR: could not insert 'crc32_pclmul': Unknown symbol in module, or unknown parameter (see dmesg)\n";
        assertThat(Accounting.failures(log)).containsExactly("aesni_intel: Text file busy",
                "crc32_pclmul: Unknown symbol in module, or unknown parameter (see dmesg)");
        assertThat(Accounting.failures("")).isEmpty();
    }

    @Test
    void countWorker_aWorkerPrintingOneMessageTwice_countsOnce() {
        java.util.Map<String, Integer> byModule = new java.util.TreeMap<>();
        java.util.Map<String, Integer> byError = new java.util.TreeMap<>();
        Accounting.countWorker(List.of("aesni_intel: Text file busy", "aesni_intel: Text file busy",
                "sha1_ssse3: Text file busy"), byModule, byError);
        Accounting.countWorker(List.of("aesni_intel: Text file busy"), byModule, byError);
        assertThat(byModule).containsExactly(java.util.Map.entry("aesni_intel: Text file busy", 2),
                java.util.Map.entry("sha1_ssse3: Text file busy", 1));
        assertThat(byError).containsExactly(java.util.Map.entry("Text file busy", 2));
    }

    @Test
    void callTraceAndLiveModules_relativeTimes_onlyLiveRows() {
        List<Accounting.Traced> t = Accounting.callTrace("# clock_monotonic_ns\tcall\tfile\tresult\tdropped=0\n"
                + "3000000\tfinit_module\taesni-intel.ko\tETXTBSY\n", 1_000_000);
        assertThat(t).containsExactly(new Accounting.Traced(2.0, "finit_module", "aesni-intel.ko", "ETXTBSY"));
        assertThat(t.get(0).module()).isEqualTo("aesni_intel");
        assertThat(Accounting.liveModules("cryptd 28672 1 crypto_simd, Live 0x0000000000000000\n"
                + "aesni_intel 16384 0 - Loading 0x0000000000000000\n")).containsExactly("cryptd");
    }

    @Test
    void modulesLoaded_countsProcModulesLines() {
        assertThat(Accounting.modulesLoaded("cryptd 20480 2 a,b, Live 0x0\ncrypto_simd 12288 1 c, Live 0x0\n")).isEqualTo(2);
        assertThat(Accounting.modulesLoaded("")).isZero();
    }

    @Test
    void launcherReport_oneLinePerWorker_wallIsTheLastEnd() throws IOException {
        Launch.Outcome o = Launch.parse("release_ns\t500\nfork_ms\t0.688\nworker\t0\t10568\t0\t0\t131170\n"
                + "worker\t1\t10569\t1\t0\t126838\nworker\t2\t10570\t-1\t9\t20\n", 3);
        assertThat(o.releaseNanos()).isEqualTo(500);
        assertThat(o.wallMillis()).isEqualTo(131.17);
        assertThat(o.workers()).extracting(Launch.Worker::exitedCleanly).containsExactly(true, false, false);
        assertThatThrownBy(() -> Launch.parse("release_ns\t500\n", 3)).hasMessageContaining("0 of 3 workers");
    }

    @Test
    void daemonStatusReply_givesThePid() throws IOException {
        assertThat(DaemonProc.pidFromStatus("ok pid=4711 inodes=0 sessions=1")).isEqualTo(4711);
        assertThatThrownBy(() -> DaemonProc.pidFromStatus("err EIO")).isInstanceOf(IOException.class);
    }

    @Test
    void daemonProc_readsThisJvmsOwnFigures() throws IOException {
        DaemonProc self = new DaemonProc((int) ProcessHandle.current().pid());
        long rss = self.rssKiB();
        assertThat(rss).isPositive();
        assertThat(self.peakRssKiB()).as("the peak is read after the RSS it bounds").isGreaterThanOrEqualTo(rss);
        assertThat(self.cpuMillis()).isPositive();
    }
}

package org.denyfs.bench.herd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.denyfs.bench.harness.CsvRows;
import org.denyfs.bench.harness.Exec;
import org.denyfs.testing.ModuleTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The herd benchmark, CI-sized: 16 real workers per policy on real mounts of Debian's module tree,
 * loading aesni_intel and ghash_clmulni_intel (which share cryptd) and the pclmul CRCs. It asserts
 * the shape of the seed commit's story, never a time: plain wastes memory on duplicate reads,
 * exclusive wastes less but fails workers with ETXTBSY, idempotent wastes nothing and fails nobody.
 */
class HerdBenchIT {
    /** Two CPU features: AES (0099) and PCLMULQDQ (0081), no family/model the uncore drivers know. */
    static final String SHARED_DEPENDENCY_MODALIAS = "cpu:type:x86,ven0000fam0006mod0000:feature:,0081,0099";

    @Test
    void herd_everyPolicy_showsTheSeedCommitsStory(@TempDir Path out) throws Exception {
        ModuleTree tree = ModuleTree.require();
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cl = new CommandLine(new HerdCommand());
        cl.setOut(new PrintWriter(stdout));
        cl.setErr(new PrintWriter(stderr));

        // init 500 ms: over ten times what 16 workers on 2 CPUs take between their LIVE check and their
        // finit (the default would be 80 ms), so a loaded CI machine keeps the shape
        int exit = cl.execute("--workers", "16", "--root", tree.root().toString(), "--modalias", SHARED_DEPENDENCY_MODALIAS,
                "--init-ms", "500", "--out", out.toString());

        assertThat(exit).as("exit status; stderr:%n%s%nstdout:%n%s", stderr, stdout).isZero();
        Map<String, Map<String, String>> rows = csvRows(out.resolve(OutputFiles.HERD_CSV));
        assertThat(rows.keySet()).containsExactlyInAnyOrder("plain", "exclusive-read", "exclusive", "idempotent");
        long plain = Long.parseLong(rows.get("plain").get("wasted_bytes"));
        long exclusive = Long.parseLong(rows.get("exclusive").get("wasted_bytes"));
        Map<String, String> idempotent = rows.get("idempotent");

        assertThat(plain).as("plain wastes memory on concurrent duplicate reads").isPositive();
        assertThat(exclusive).as("exclusive wastes less than plain").isLessThan(plain);
        assertThat(rows.get("exclusive").get("failed_workers")).as("exclusive fails workers").isNotEqualTo("0");
        assertThat(Long.parseLong(rows.get("exclusive").get("finit_etxtbsy"))).isPositive();
        assertThat(Files.readString(out.resolve(OutputFiles.FAILURES_CSV))).contains("exclusive,1,", "Text file busy");
        // idempotent wastes nothing on concurrent loads; a worker that looks only once a load has finished
        // runs a serial duplicate (EEXIST) in every policy, which a loaded machine can make happen
        if (idempotent.get("finit_eexist").equals("0")) {
            assertThat(idempotent.get("wasted_bytes")).as("idempotent wastes nothing").isEqualTo("0");
        }
        assertThat(Long.parseLong(idempotent.get("wasted_bytes"))).as("idempotent wastes less than plain").isLessThan(plain);
        assertThat(idempotent.get("failed_workers")).as("idempotent fails no worker").isEqualTo("0");
        assertThat(idempotent.get("finit_etxtbsy")).isEqualTo("0");
        for (Map<String, String> row : rows.values()) {
            assertThat(row.get("modules_loaded")).as("every policy ends with the six modules live").isEqualTo("6");
            assertThat(row.get("modules_missing")).as("N identical probes: some worker finishes every module").isEqualTo("0");
            assertThat(Long.parseLong(row.get("peak_in_flight_bytes"))).isPositive();
            assertThat(Long.parseLong(row.get("daemon_peak_rss_kib"))).isPositive();
        }
        assertThat(stdout.toString()).contains("Virtual mem wasted bytes", "plain", "exclusive-read", "exclusive", "idempotent");
        assertThat(out.resolve(OutputFiles.RESULTS_SVG)).content().contains(">exclusive-read<", "ETXTBSY");
        assertThat(out.resolve(OutputFiles.LIVE_SVG)).content().contains(">idempotent<", "6/6 live at the end");
        assertThat(stderr.toString()).contains("16/16 workers done");
        assertThat(out.resolve(OutputFiles.CHART_SVG)).content().contains(">plain<", ">exclusive<", ">idempotent<");
        assertThat(out.resolve(OutputFiles.RESULTS_JSON)).content().contains("\"results\"", "\"calls\"");
        assertThat(out.resolve("logs/plain-round1/worker-15.log")).exists();
        String mounted = stderr.toString().lines().filter(l -> l.startsWith("plain: mounting ")).findFirst().orElseThrow();
        Path mountRoot = Path.of(mounted.substring("plain: mounting ".length(), mounted.length() - 3)).getParent();
        assertThat(mountRoot.startsWith(out.toRealPath())).as(mountRoot + ": the mounts live under --out").isTrue();
        assertThat(Files.readAllLines(Path.of("/proc/mounts"))).noneMatch(l -> l.contains(" " + mountRoot + "/"));
        assertThat(mountRoot).doesNotExist();
    }

    /**
     * The seed commit's revert, made visible: a coldplug of two device events, AES (aesni_intel needs
     * crypto_simd and cryptd) and CRC32C (no dependency), released while another load of cryptd is
     * COMING (--in-flight: by construction, not by a race). Under the seed's exclusive deny around all
     * of finit_module the AES probe gets ETXTBSY for cryptd and gives up: its driver goes missing.
     * Under the other three it waits for cryptd (or shares its result) and every driver is live. The
     * in-flight load's init lasts 2.5 s, far longer than a released worker takes to reach cryptd.
     */
    @Test
    void herd_coldplug_sharedDependencyInFlight_losesDriversUnderExclusiveOnly(@TempDir Path out) throws Exception {
        ModuleTree tree = ModuleTree.require();
        Path events = Files.write(out.resolve("events.in"), List.of("# AES, then CRC32C",
                "cpu:type:x86,ven0000fam0006mod0000:feature:,0099", "cpu:type:x86,ven0000fam0006mod0000:feature:,0094"));
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cl = new CommandLine(new HerdCommand());
        cl.setOut(new PrintWriter(stdout));
        cl.setErr(new PrintWriter(stderr));

        int exit = cl.execute("--scenario", "coldplug", "--events", events.toString(), "--in-flight", "cryptd",
                "--init-ms", "2500", "--root", tree.root().toString(), "--out", out.resolve("report").toString());

        assertThat(exit).as("exit status; stderr:%n%s%nstdout:%n%s", stderr, stdout).isZero();
        Map<String, Map<String, String>> rows = csvRows(out.resolve("report").resolve(OutputFiles.HERD_CSV));
        assertThat(rows.keySet()).containsExactlyInAnyOrder("plain", "exclusive-read", "exclusive", "idempotent");
        for (Map<String, String> row : rows.values()) {
            assertThat(row).as(row.get("policy")).containsEntry("workers", "2").containsEntry("modules_requested", "4");
        }
        assertThat(rows.get("exclusive")).containsEntry("modules_missing", "2").containsEntry("failed_workers", "1")
                .containsEntry("last_live_ms", "");
        for (String p : List.of("plain", "exclusive-read", "idempotent")) {
            assertThat(rows.get(p)).as(p).containsEntry("modules_missing", "0").containsEntry("modules_live", "4")
                    .containsEntry("failed_workers", "0");
            assertThat(Double.parseDouble(rows.get(p).get("last_live_ms"))).as(p).isPositive();
        }
        assertThat(stdout.toString()).contains("--scenario coldplug: 2 device events", "cryptd in flight at the release",
                "exclusive: 2 of 4: aesni_intel crypto_simd", "aesni_intel: Text file busy");
        assertThat(stderr.toString()).contains("cryptd is in flight (COMING", "; releasing the workers");
        assertThat(out.resolve("report").resolve(OutputFiles.EVENTS_TXT)).hasContent(
                "cpu:type:x86,ven0000fam0006mod0000:feature:,0099\ncpu:type:x86,ven0000fam0006mod0000:feature:,0094");
        assertThat(out.resolve("report").resolve(OutputFiles.LIVE_SVG)).content().contains("2/4 live at the end, 2 missing");
    }

    @Test
    void herd_onAGeneratedTree_loadsEveryModuleOfTheShape(@TempDir Path dir) throws Exception {
        Tree tree = GeneratedModuleTree.ensure(dir, new Exec(null), new PrintWriter(new StringWriter()));
        Path out = dir.resolve("out");
        StringWriter stderr = new StringWriter();
        CommandLine cl = new CommandLine(new HerdCommand());
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(stderr));

        int exit = cl.execute("--workers", "8", "--policy", "exclusive,idempotent", "--root", tree.root().toString(),
                "--modalias", "cpu:type:x86,ven0000fam0006mod0000:feature:,0081,0089,0094,0099", "--init-ms", "400",
                "--out", out.toString());

        assertThat(exit).as("exit status; stderr:%n%s", stderr).isZero();
        Map<String, Map<String, String>> rows = csvRows(out.resolve(OutputFiles.HERD_CSV));
        assertThat(rows.get("idempotent")).containsEntry("modules_loaded", "11").containsEntry("wasted_bytes", "0")
                .containsEntry("failed_workers", "0");
        assertThat(rows.get("exclusive").get("modules_loaded")).isEqualTo("11");
        // the padding makes the stand-ins as big as Debian's: aesni_intel alone is over 500 kB
        assertThat(Long.parseLong(rows.get("idempotent").get("peak_in_flight_bytes"))).isGreaterThan(500_000);
    }

    @Test
    void herd_debiansOwnModprobe_loadsThroughThePreloadLibrary(@TempDir Path out) throws Exception {
        ModuleTree tree = ModuleTree.require();
        StringWriter stderr = new StringWriter();
        CommandLine cl = new CommandLine(new HerdCommand());
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(stderr));

        int exit = cl.execute("--worker", "modprobe", "--workers", "4", "--policy", "idempotent", "--root",
                tree.root().toString(), "--modalias", SHARED_DEPENDENCY_MODALIAS, "--init-ms", "200", "--out", out.toString());

        assertThat(exit).as("exit status; stderr:%n%s", stderr).isZero();
        assertThat(stderr.toString()).contains("modprobe -C /dev/null -d");
        Map<String, String> row = csvRows(out.resolve(OutputFiles.HERD_CSV)).get("idempotent");
        assertThat(row).containsEntry("modules_loaded", "6").containsEntry("failed_workers", "0")
                .containsEntry("wasted_bytes", "0");
        assertThat(Long.parseLong(row.get("finit_calls"))).isPositive();
    }

    /**
     * Issue 17's compressed modules: on a tree whose every module is zstd-compressed, libkmod 30
     * workers decompress in user space and call init_module, which has no file and so no inode to
     * deny: the exclusive policy fails no one and wastes memory in the duplicate check, as plain
     * does. Workers taking kmod 31+'s route give the open file to finit_module with
     * MODULE_INIT_COMPRESSED_FILE, and exclusive catches the herd with ETXTBSY again.
     */
    @Test
    void herd_compressedTree_kmod30EscapesTheExclusionKmod31MeetsIt(@TempDir Path out) throws Exception {
        ModuleTree tree = ModuleTree.require();
        Map<String, String> kmod30 = compressedHerd(tree, "30", out.resolve("kmod30"));
        Map<String, String> kmod31 = compressedHerd(tree, "31", out.resolve("kmod31"));

        assertThat(kmod30.get("finit_calls")).as("kmod 30: no finit_module for a compressed module").isEqualTo("0");
        assertThat(Long.parseLong(kmod30.get("init_calls"))).as("kmod 30: init_module instead").isPositive();
        assertThat(kmod30.get("finit_etxtbsy")).isEqualTo("0");
        assertThat(kmod30.get("failed_workers")).as("kmod 30: exclusive fails no one").isEqualTo("0");
        assertThat(Long.parseLong(kmod30.get("wasted_bytes"))).as("kmod 30: duplicates waste, as under plain").isPositive();

        assertThat(kmod31.get("init_calls")).as("kmod 31+: finit_module only").isEqualTo("0");
        assertThat(Long.parseLong(kmod31.get("finit_etxtbsy"))).as("kmod 31+: exclusive refuses the herd").isPositive();
        assertThat(kmod31.get("failed_workers")).isNotEqualTo("0");
        for (Map<String, String> row : List.of(kmod30, kmod31)) {
            assertThat(row.get("modules_loaded")).isEqualTo("6");
        }
    }

    private static Map<String, String> compressedHerd(ModuleTree tree, String kmod, Path out) throws Exception {
        StringWriter stderr = new StringWriter();
        CommandLine cl = new CommandLine(new HerdCommand());
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(stderr));
        int exit = cl.execute("--compress", "zstd", "--kmod", kmod, "--workers", "8", "--policy", "exclusive", "--root",
                tree.root().toString(), "--modalias", SHARED_DEPENDENCY_MODALIAS, "--init-ms", "500", "--out", out.toString());
        assertThat(exit).as("exit status; stderr:%n%s", stderr).isZero();
        return csvRows(out.resolve(OutputFiles.HERD_CSV)).get("exclusive");
    }

    private static Map<String, Map<String, String>> csvRows(Path csv) throws Exception {
        return CsvRows.read(csv, row -> row.get("policy"));
    }
}

package org.denyfs.bench.herd;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.denyfs.bench.harness.Cleanup;
import org.denyfs.bench.harness.Exec;
import org.denyfs.bench.harness.RepoPaths;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code denyfs bench herd}: udev's thundering herd of module loads, replayed per policy with real processes. */
@Command(name = "herd", sortOptions = false,
        header = "Replay udev's thundering herd of module loads and show what each policy costs.",
        description = {
            "At boot, udev forks one worker per CPU uevent, and every worker asks to load the CPU's MODALIAS:"
                + " the same dozen CPU-feature modules (aesni_intel, sha*_ssse3, crc32c_intel, ...) loaded by"
                + " hundreds of processes at once. Kernel commit 9828ed3f69 measured what that cost on a 255-vCPU"
                + " guest (docs/KERNEL.md): 1.8 GiB of module images read for nothing before it, one serial"
                + " duplicate with its exclusive deny around finit_module - which failed real probes with ETXTBSY"
                + " and was reverted - and nothing with v6.5's idempotent loads.",
            "",
            "For each policy (and round) this mounts denyfs afresh over a module tree with -o policy=POLICY,"
                + " then starts N real worker processes and releases them at one instant (denyfs-herd, a small"
                + " C launcher: all are forked first and wait on one pipe). Each worker runs kmod 30's modprobe of"
                + " the MODALIAS: it skips modules already live, treats EEXIST as success and prints any other"
                + " error, as udev's builtin does. The daemon plays the kernel and accounts for every byte.",
            "",
            "Per policy it reports, from the daemon's own accounting (the stats, calls and inflight files"
                + " under MNT/.denyfs) and the workers' exit codes and messages: \"Virtual mem wasted bytes\" and"
                + " its four parts, the peak of module bytes in flight, modules loaded, finit_module calls by"
                + " result, the workers that failed and what they printed, the wall time from release to the"
                + " last exit, the daemon's CPU time (all of it per finit call, and inside finit per call) and"
                + " the daemon's RSS before the herd and at its peak (VmHWM), and the most FUSE worker threads it had"
                + " at once.",
            "",
            "Emulated init time: a worker's user-space steps between its 'is it live?' check and its"
                + " finit_module are slowed here by the number of workers sharing each CPU. Unless --init-ms is"
                + " given, each module's init takes 10 ms x workers / CPUs, so the ratio of the two is what it is"
                + " on a machine with a CPU per worker; a shorter init lets late workers miss a load in progress"
                + " and read the file again after it (serial duplicates, counted as \"Becoming\" waste in every"
                + " policy).",
            "",
            "Files written to --out: table.txt (the table below), herd.csv (every figure of every herd),"
                + " failures.csv (module, message and how many workers printed it), inflight.csv and"
                + " inflight.svg (bytes in flight over time, the policies side by side on shared axes: first"
                + " round), results.json (all of that with the machine and the configuration), and logs/ (each"
                + " worker's output).",
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every herd ran and was measured (workers failing to load a module is a result, not an error)",
            "1:the benchmark could not run: no module tree, a mount, the launcher or a worker program failed",
            "2:invalid usage"},
        footerHeading = "%nExamples:%n",
        footer = {
            "255 workers, every policy, this CPU's modalias:",
            "",
            "  denyfs bench herd",
            "",
            "A quick look at one policy; Debian's own modprobe as the workers:",
            "",
            "  denyfs bench herd --workers 16 --policy exclusive",
            "  denyfs bench herd --client kmod --workers 64",
            "",
            "aesni_intel and ghash_clmulni_intel, which share cryptd:",
            "",
            "  denyfs bench herd --modalias \\",
            "      'cpu:type:x86,ven0000fam0006mod0000:feature:,0081,0099'"})
public final class HerdCommand implements Callable<Integer> {
    @Option(names = "--workers", defaultValue = "255", paramLabel = "N",
            description = "Worker processes per herd (default: ${DEFAULT-VALUE}, the seed's guest's vCPUs).")
    int workers;

    @Option(names = "--policy", defaultValue = "all", paramLabel = "POLICY", split = ",",
            description = "all, or one or more of plain, exclusive, idempotent, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> policy;

    @ArgGroup(exclusive = true)
    Alias alias = new Alias();

    static final class Alias {
        @Option(names = "--modalias", paramLabel = "STRING",
                description = "The MODALIAS every worker loads, as in a uevent.")
        String modalias;

        @Option(names = "--cpu", description = "This machine's CPU modalias, /sys/devices/system/cpu/modalias (the default).")
        boolean cpu;
    }

    @Option(names = "--root", paramLabel = "TREE",
            description = "A module tree: a directory holding lib/modules/RELEASE with depmod's files (default: Debian's"
                    + " cloud kernel modules, prepared once by scripts/prepare-module-tree.sh into $DENYFS_MODTREE, or"
                    + " /var/cache/denyfs/modtree, and reused; it says so while it downloads).")
    Path root;

    @Option(names = "--generated-tree",
            description = "Build and use a tree of the same shape as Debian's CPU crypto modules (names, aliases,"
                    + " dependencies, sizes), compiled here with gcc and ld, instead of Debian's package; what happens"
                    + " anyway when the package cannot be downloaded. Cached beside the Debian tree.")
    boolean generatedTree;

    @Option(names = "--prepare-tree-only",
            description = "Prepare the module tree the options above choose (Debian's, cached; or --generated-tree),"
                    + " print its root and release, and exit without mounting: for an image or a CI step that wants"
                    + " the tree ready, and gcc no longer needed, before the first herd.")
    boolean prepareTreeOnly;

    @Option(names = "--release", paramLabel = "R",
            description = "The kernel release under TREE/lib/modules (default: the only one there).")
    String release;

    @Option(names = "--rounds", defaultValue = "1", paramLabel = "K",
            description = "Herds per policy, each on a fresh mount, the policies' order rotating every round;"
                    + " the table shows medians (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--init-ms", paramLabel = "MS",
            description = "How long each emulated module init takes (default: 10 x workers / CPUs, at least 10; see above).")
    Long initMillis;

    @Option(names = "--client", defaultValue = "denyfs", paramLabel = "CLIENT",
            description = "What each worker runs: denyfs (kmod 30's modprobe ported to C, denyfs-loader's, in forks of"
                    + " the launcher that loaded the module indexes once, as udevd's workers inherit libkmod's) or kmod"
                    + " (Debian's own modprobe executed in each worker, with libdenyfs-preload.so) (default: ${DEFAULT-VALUE}).")
    String client;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the report files (default: target/bench-herd-<timestamp> in the checkout).")
    Path out;

    @Option(names = "--denyfs", defaultValue = "scripts/denyfs", paramLabel = "CMD",
            description = "How to mount: 'CMD mount -o ... TREE MNT' and 'CMD umount MNT'; a relative path is resolved"
                    + " against the checkout (default: ${DEFAULT-VALUE}).")
    String denyfs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config cfg;
        try {
            cfg = config();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (prepareTreeOnly) {
            return prepareTree(cfg, out, err);
        }
        HerdBench.Report report;
        try {
            report = new HerdBench(err, System.console() != null).run(cfg);
        } catch (IOException | RuntimeException e) {
            err.println("denyfs bench herd: " + e.getMessage());
            err.flush();
            return 1;
        }
        String table = Table.format(report);
        out.print(table);
        try {
            for (Path p : OutputFiles.write(report, table)) {
                out.println("wrote " + p);
            }
        } catch (IOException e) {
            err.println("denyfs bench herd: cannot write the report: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
        }
        return 0;
    }

    private static int prepareTree(Config cfg, PrintWriter out, PrintWriter err) {
        try (Cleanup cleanup = new Cleanup()) {
            Tree tree = Tree.locate(cfg.treeRoot(), cfg.release(), cfg.generatedTree(), cfg.repoRoot(),
                    new Exec(cleanup), err);
            out.println(tree.root() + " " + tree.release());
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("denyfs bench herd: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private Config config() {
        List<String> policies = policy.size() == 1 && policy.get(0).equals("all") ? Config.ALL_POLICIES
                : policy.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).toList();
        Config.Client c;
        try {
            c = Config.Client.valueOf(client.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--client takes denyfs or kmod, not '" + client + "'");
        }
        Path repo = RepoPaths.findRoot().orElse(null);
        Path outDir = out != null ? out : RepoPaths.defaultOut("herd");
        return new Config(workers, policies, alias.modalias, root == null ? null : root.toAbsolutePath(), release,
                generatedTree,
                rounds, initMillis, c, outDir.toAbsolutePath(), denyfs, repo);
    }
}

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
                + " guest (docs/KERNEL.md): 1.8 GiB of module images read for nothing before it, 354 MB with an"
                + " exclusive deny inside the file read only (policy exclusive-read: loads that start after"
                + " another's read still read and fail later), one serial"
                + " duplicate with its exclusive deny around finit_module (policy exclusive) - which failed real probes with ETXTBSY"
                + " and was reverted - and nothing with v6.5's idempotent loads.",
            "",
            "For each policy (and round) this mounts denyfs afresh over a module tree with -o policy=POLICY,"
                + " then starts N real worker processes and releases them at one instant (denyfs-herd, a small"
                + " C launcher: all are forked first and wait on one pipe). By default the workers are what"
                + " udevd's are: forks of one process holding a context of Debian's libkmod, its indexes loaded"
                + " once, each probing the MODALIAS in-process as udev's builtin kmod does"
                + " (kmod_module_new_from_lookup, then kmod_module_probe_insert_module of each match not yet live,"
                + " EEXIST taken as success, any other error logged). libdenyfs-preload.so takes libkmod's"
                + " finit_module, init_module and delete_module, and its /sys/module and /proc/modules reads,"
                + " to the mount, where the daemon plays the kernel and accounts for every byte.",
            "",
            "Compressed modules (--compress): the same tree with every module compressed and depmod run"
                + " again. kmod 30 (Debian bookworm's libkmod, --kmod 30) decompresses such a module in user"
                + " space and calls init_module, which has no file and so no exclusion of any kind: every policy"
                + " reads as plain does. kmod 31 and later (--kmod 31) call finit_module on the open file with"
                + " MODULE_INIT_COMPRESSED_FILE when /sys/module/compression names its format, so the policies"
                + " act on its inode again; libkmod 30 cannot, so for that route the worker walks libkmod's"
                + " dependency lists itself and calls finit_module directly.",
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
            "Scenarios (--scenario). cpu, the default, is the herd above: N workers, one MODALIAS. coldplug is"
                + " what the seed commit's revert was about: udev's coldplug at boot, one worker per distinct device"
                + " event, each probing its own MODALIAS once, many of whose drivers share dependencies. With the"
                + " seed's exclusive deny around all of finit_module, a probe whose dependency another probe is"
                + " loading gets ETXTBSY and gives up, and its device loses its driver. The events are derived from"
                + " the tree, not this machine's devices: from modules.alias, every alias on a device bus (pci, usb,"
                + " hid, cpu, virtio, vmbus, acpi, platform, ...) made concrete ('*' as nothing, '?' as '0'), the"
                + " drivers whose dependencies (modules.dep) another driver needs too first, shuffled by --seed, one"
                + " alias per driver a pass, until there are --workers distinct events (fewer if the tree has fewer);"
                + " the same tree, seed and count give the same events, which the report lists. --events FILE takes"
                + " them from a file instead (one MODALIAS per line; this machine's: find /sys/devices -name modalias"
                + " -exec cat {} + | sort -u). Per policy it reports the modules requested (every event's probe,"
                + " dependencies included), those live at the end, those missing and which, and the time from the"
                + " release until the last requested module was live (the seed's boot time; '-' while any is missing).",
            "",
            "Files written to --out: table.txt (the table below), herd.csv (every figure of every herd),"
                + " failures.csv (module, message and how many workers printed it), inflight.csv and"
                + " inflight.svg (bytes in flight over time, the policies side by side on shared axes: first"
                + " round), results.svg (finit_module calls returned 0, EEXIST and ETXTBSY so far, over time),"
                + " live.svg (requested modules live over time against modules requested), events.txt (coldplug:"
                + " each worker's MODALIAS), results.json (all of that with the machine and the configuration), and logs/ (each"
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
            "A quick look at one policy; Debian's own modprobe executed as the workers:",
            "",
            "  denyfs bench herd --workers 16 --policy exclusive",
            "  denyfs bench herd --worker modprobe --workers 64",
            "",
            "Compressed modules, as kmod 30 and as kmod 31+ load them:",
            "",
            "  denyfs bench herd --compress xz --kmod 30",
            "  denyfs bench herd --compress xz --kmod 31",
            "",
            "A coldplug of 64 device events from the tree; then one whose shared cryptd is in flight at the release:",
            "",
            "  denyfs bench herd --scenario coldplug --workers 64",
            "  denyfs bench herd --scenario coldplug --events ev.txt \\",
            "      --in-flight cryptd --init-ms 2000",
            "",
            "aesni_intel and ghash_clmulni_intel, which share cryptd:",
            "",
            "  denyfs bench herd --modalias \\",
            "      'cpu:type:x86,ven0000fam0006mod0000:feature:,0081,0099'"})
public final class HerdCommand implements Callable<Integer> {
    @Option(names = "--scenario", defaultValue = "cpu", paramLabel = "NAME",
            description = "cpu (every worker loads one MODALIAS, the seed commit's herd) or coldplug (one worker per"
                    + " distinct device event; see above) (default: ${DEFAULT-VALUE}). Independent of --worker.")
    String scenario;

    @Option(names = "--workers", defaultValue = "255", paramLabel = "N",
            description = "Worker processes per herd; with coldplug, the device events to derive (default: ${DEFAULT-VALUE},"
                    + " the seed's guest's vCPUs).")
    int workers;

    @Option(names = "--policy", defaultValue = "all", paramLabel = "POLICY", split = ",",
            description = "all, or one or more of plain, exclusive-read, exclusive, idempotent, comma-separated (default:"
                    + " ${DEFAULT-VALUE}: the four kernels of the seed commit's table, in its order).")
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

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "coldplug: the seed of the derived events' order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--events", paramLabel = "FILE",
            description = "coldplug: the device events, one MODALIAS per line ('#' comments), instead of deriving them.")
    Path events;

    @Option(names = "--in-flight", paramLabel = "MODULE",
            description = "Before each herd's release, load MODULE (its dependencies first) through the control file,"
                    + " and release the workers only once it is COMING, so every probe that needs it meets a load in"
                    + " flight whatever the timing; its init lasts --init-ms, which must outlast the probes' way to it.")
    String inFlight;

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

    @Option(names = "--worker", defaultValue = "libkmod", paramLabel = "KIND",
            description = "What each worker is: libkmod (a fork of one process holding a libkmod context, probing"
                    + " in-process as udev's builtin kmod does) or modprobe (Debian's modprobe executed in each worker)."
                    + " Both are Debian's kmod, with libdenyfs-preload.so (default: ${DEFAULT-VALUE}).")
    String worker;

    @Option(names = "--kmod", defaultValue = "30", paramLabel = "30|31",
            description = "How a compressed module is inserted: 30, libkmod 30's way (decompressed in user space,"
                    + " init_module), or 31, kmod 31+'s (finit_module with MODULE_INIT_COMPRESSED_FILE when"
                    + " /sys/module/compression names the file's format; --worker libkmod only). Uncompressed modules"
                    + " go to finit_module either way (default: ${DEFAULT-VALUE}).")
    String kmod;

    @Option(names = "--compress", defaultValue = "none", paramLabel = "FORMAT",
            description = "none, xz or zstd: use a copy of the tree with every module compressed so and depmod run"
                    + " again, made once and cached beside the tree; the mounts' kernels then decompress FORMAT"
                    + " (-o module_compression=FORMAT) (default: ${DEFAULT-VALUE}).")
    String compress;

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
        Config.Worker w;
        Config.Compress z;
        try {
            w = Config.Worker.valueOf(worker.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--worker takes libkmod or modprobe, not '" + worker + "'");
        }
        Config.Kmod k = switch (kmod.trim()) {
            case "30" -> Config.Kmod.KMOD30;
            case "31" -> Config.Kmod.KMOD31;
            default -> throw new IllegalArgumentException("--kmod takes 30 or 31, not '" + kmod + "'");
        };
        try {
            z = Config.Compress.valueOf(compress.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--compress takes none, xz or zstd, not '" + compress + "'");
        }
        Path repo = RepoPaths.findRoot().orElse(null);
        Path outDir = out != null ? out : RepoPaths.defaultOut("herd");
        Scenario s = new Scenario(Scenario.kind(scenario), seed, events == null ? null : events.toAbsolutePath(), inFlight);
        return new Config(workers, policies, alias.modalias, root == null ? null : root.toAbsolutePath(), release,
                generatedTree,
                rounds, initMillis, w, k, z, outDir.toAbsolutePath(), denyfs, repo, s);
    }
}

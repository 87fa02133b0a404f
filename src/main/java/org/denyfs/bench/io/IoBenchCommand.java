package org.denyfs.bench.io;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.denyfs.bench.harness.RepoPaths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code denyfs bench io}: the I/O benchmark of denyfs against the native directory and bindfs. */
@Command(name = "io", sortOptions = false,
        header = "Measure denyfs's I/O speed against the native directory and bindfs.",
        description = {
            "Measures, on one machine and in one session, the same workloads on the same backing directory"
                + " accessed three ways (--against: native, bindfs, denyfs), and prints the figures and their"
                + " ratios.",
            "",
            "The backing directory is created fresh (under --backing, or in --out); the mounts go in a"
                + " fresh directory in --out, are made before the first measurement and are unmounted when the benchmark ends,"
                + " fails or is interrupted (Ctrl-C, SIGTERM). Each target works in its own subdirectory of the"
                + " backing directory (native/, bindfs/, denyfs/), so no target changes files behind another"
                + " mount's caches. A target whose tool is not installed is skipped with a message.",
            "",
            "Load: iobench (src/main/c/bench/iobench.c, libc only; built with gcc into target/native/iobench"
                + " when missing or older than its source), one process per measurement, identical for all"
                + " targets. Workloads, in this order: seqwrite (write a --size file in 128 KiB blocks, open to"
                + " close); seqwrite-fsync (the same with fsync before close); seqread-warm (read it in 128 KiB"
                + " blocks after an untimed read pass); seqread-cold (read it right after dropping all caches,"
                + " see Caches); randread-4k (--rand-ops 4 KiB preads at seeded random offsets, after an untimed"
                + " read pass); meta-create (creat+close of --files new files); meta-open-ro and meta-open-wo"
                + " (open(O_RDONLY) or open(O_WRONLY), then close, of each of them); meta-unlink (unlink of each"
                + " of them). Each operation is timed on its own (CLOCK_MONOTONIC) for the median and"
                + " nearest-rank p99.",
            "",
            "Order: for each run, for each workload, each target in turn; the order of the targets rotates by"
                + " one every run, so no target is always first, or always follows the same neighbour.",
            "",
            "Report: the median across runs of each figure (MiB/s, ops/s, median and p99 latency in"
                + " microseconds; for p99 the median of the per-run p99s) as a table with the ratios of each"
                + " target to native and to bindfs, on stdout; progress on stderr. Into --out it writes"
                + " summary.csv (one row per target and workload), runs.csv (every measurement), ratios.csv,"
                + " results.json (all of that, plus machine, versions and configuration) and table.txt.",
        },
        footerHeading = "%nCaches:%n",
        footer = {IoBenchCommand.CACHE_POLICY},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every measurement of every available target succeeded (missing tools are skipped)",
            "1:a measurement, a mount or an unmount failed, or the benchmark could not start",
            "2:invalid usage"})
public final class IoBenchCommand implements Callable<Integer> {
    /** Shown in --help and recorded in results.json: how caches are treated, identically for every target. */
    public static final String CACHE_POLICY = "Every measurement starts with an untimed sync(), so dirty pages left"
            + " by the previous one (maybe of another target) are not billed to the next. seqread-warm reads the"
            + " whole file once, untimed, through the target under test: the backing page cache is then warm for"
            + " every target, and a FUSE mount keeps its own page cache across open() only if it asks to"
            + " (keep_cache) - which is part of what is measured. seqread-cold runs sync() and writes 3 to"
            + " /proc/sys/vm/drop_caches right before the timed read, for every target alike: that drops the page"
            + " cache, dentries and inodes of all filesystems - the backing file's pages and, for bindfs and"
            + " denyfs, the FUSE mount's own page cache and cached dentries and inodes too (the daemons'"
            + " user-space state is untouched). It needs root; without it seqread-cold is skipped. randread-4k,"
            + " like seqread-warm, first reads the whole file once, untimed (each target has its own file, and"
            + " a later target's drop_caches would otherwise leave an earlier one's file cold). The meta"
            + " workloads create or remove their files through the target under test, untimed, before timing."
            + " Back the benchmark with a disk filesystem: on tmpfs, cold reads and fsync measure RAM.";

    @Option(names = "--size", defaultValue = "1g", paramLabel = "SIZE", converter = ByteSize.Converter.class,
            description = "Size of the sequential file: k, m, g suffixes are powers of 1024 (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--files", defaultValue = "2000", paramLabel = "N",
            description = "Files per metadata workload (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N",
            description = "Interleaved runs, each in a rotated target order (use a multiple of the number of targets,"
                    + " so each is first in line equally often); the report shows the median across them"
                    + " (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--against", defaultValue = "native,bindfs,denyfs", split = ",", paramLabel = "TARGET",
            converter = TargetKindConverter.class,
            description = {"Targets to measure, comma-separated; all three by default:",
                "native: the backing directory itself, no FUSE: the floor of every cost.",
                "bindfs: bindfs --multithreaded with the options big_writes, max_write=131072 and"
                        + " max_read=131072 (Debian package, libfuse2, C): the reference FUSE passthrough in its"
                        + " fastest configuration.",
                "denyfs: 'CMD mount BACKING MNT', where CMD is --denyfs; unmounted with 'CMD umount MNT'. With"
                        + " kernel passthrough (the default where the kernel has it) the kernel moves the data.",
                "denyfs-nopt: the same with -o passthrough=off, the daemon serving every READ and WRITE itself;"
                        + " measured only when named, which compares both paths in one interleaved run."})
    List<TargetKind> against;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the CSV, JSON and table files (default: target/bench-io-<timestamp> in the repository).")
    Path out;

    @Option(names = "--backing", paramLabel = "DIR",
            description = "Create the shared backing directory in DIR, which should be on a disk filesystem"
                    + " (default: DIR/backing under --out).")
    Path backing;

    @Option(names = "--keep", description = "Keep the backing directory and its files afterwards (mounts are always removed).")
    boolean keep;

    @Option(names = "--denyfs", defaultValue = "scripts/denyfs", paramLabel = "CMD",
            description = "How to mount denyfs: run as 'CMD mount BACKING MNT' (returns once mounted, the daemon"
                    + " keeps running) and 'CMD umount MNT'. Split on blanks; a relative path is resolved against"
                    + " the repository (default: ${DEFAULT-VALUE}).")
    String denyfs;

    @Option(names = "--denyfs-options", paramLabel = "OPTS", defaultValue = "",
            description = "Mount denyfs with -o OPTS, e.g. attr_timeout=0 to see what attributes exact even for changes"
                    + " made in the backing directory cost"
                    + " (default: denyfs's own defaults).")
    String denyfsOptions;

    @Option(names = "--rand-ops", defaultValue = "65536", paramLabel = "N",
            description = "4 KiB random reads per randread-4k measurement (default: ${DEFAULT-VALUE}).")
    int randOps;

    @Option(names = "--iobench", paramLabel = "PATH",
            description = "Use this iobench binary instead of finding or building target/native/iobench.")
    Path iobench;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchConfig cfg;
        try {
            cfg = config();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        BenchReport report;
        try {
            report = new IoBench(err).run(cfg);
        } catch (IOException | RuntimeException e) {
            err.println("denyfs bench io: " + e.getMessage());
            err.flush();
            return 1;
        }
        String table = TableFormatter.format(report.summary(), report.measuredTargets(), report.workloads());
        out.println("denyfs bench io: " + ByteSize.format(cfg.sizeBytes()) + ", " + cfg.files() + " files, "
                + cfg.runs() + " run(s), median across runs; backing " + report.backingFilesystem());
        out.print(table);
        report.notes().forEach(n -> out.println("note: " + n));
        report.problems().forEach(p -> out.println("PROBLEM: " + p));
        try {
            for (Path p : ReportFiles.write(report, table, CACHE_POLICY)) {
                out.println("wrote " + p);
            }
        } catch (IOException e) {
            err.println("denyfs bench io: cannot write the report: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
        }
        return report.problems().isEmpty() && !report.results().isEmpty() ? 0 : 1;
    }

    private BenchConfig config() {
        Path root = RepoPaths.findRoot().orElse(null);
        Path outDir = out != null ? out : RepoPaths.defaultOut("io");
        return new BenchConfig(size, files, runs, randOps, against, outDir.toAbsolutePath(),
                backing == null ? null : backing.toAbsolutePath(), keep, denyfs, iobench, root, denyfsOptions);
    }

    /** Lower-case target names on the command line, independent of how the parent CommandLine treats enums. */
    static final class TargetKindConverter implements ITypeConverter<TargetKind> {
        @Override
        public TargetKind convert(String value) {
            try {
                return TargetKind.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "unknown target '" + value + "' (expected native, bindfs, denyfs or denyfs-nopt)");
            }
        }
    }

    /** Standalone entry point, until the command is registered under {@code denyfs bench}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new IoBenchCommand()).execute(args));
    }
}

package org.denyfs.user.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * denyfs's modinfo and modprobe (the Java tools, in this JVM) against Debian's kmod 30 on every
 * module of the Debian tree, with no hand-picked list: everything is derived from the tree's own
 * files. kmod runs with the preload library, so that it reads the mount's views and an empty
 * /proc/cmdline, as denyfs's tools do; it runs in parallel, one process per case.
 *
 * <p>Compared, each as (stdout, stderr, exit status): {@code modinfo NAME} of every module (modules.dep
 * and modules.builtin), {@code modinfo -F FIELD} of every field each module has, {@code --show-depends}
 * of every module and of every modules.alias pattern, {@code -R} of every alias; the same
 * {@code --show-depends} of every module again under a modprobe.d directory made from the tree
 * (aliases, options, blacklist, softdep, install and remove commands, bad lines, a hidden file, a
 * second directory hiding a file of the first), {@code -c} with and without it; and, on a real mount,
 * load and removal sequences (-v, --first-time, -n, -r, -r --first-time, -b, -i, install and remove
 * commands) for every module that has dependencies or softdeps, the kernel's module list compared
 * after each step. It prints how many cases were compared and how many differed, with the first
 * differences in full.
 */
class KmodExhaustiveIT {
    private static final int SHOWN = 12;
    static Tree tree;
    /** kmod's mount, and ours: the same tree twice, so that each side has its own emulated kernel. */
    static Path mnt;
    static Path ourMnt;
    static Path work;
    static Path preload;

    @BeforeAll
    static void mount() throws Exception {
        boolean fuse = Files.exists(Path.of("/dev/fuse"));
        if ("true".equals(System.getenv("CI")) && !fuse) {
            throw new AssertionError("CI=true but /dev/fuse is missing");
        }
        Assumptions.assumeTrue(fuse, "no /dev/fuse");
        tree = Tree.require();
        Tree.requireKmod();
        String nativeDir = System.getenv().getOrDefault("DENYFS_NATIVE", "target/native");
        preload = Path.of(nativeDir, "libdenyfs-preload.so").toAbsolutePath();
        assertTrue(Files.isRegularFile(preload), "the preload library is built: " + preload);
        work = Files.createTempDirectory("denyfs-kmod-exhaustive");
        mnt = Files.createDirectory(work.resolve("kmod"));
        ourMnt = Files.createDirectory(work.resolve("ours"));
        for (Path m : List.of(mnt, ourMnt)) {
            Tree.Result r = Tree.exec(List.of("scripts/denyfs", "mount", "-o", "policy=idempotent,init_ms=0",
                    tree.root().toString(), m.toString()));
            assertEquals(0, r.status(), "mount: " + r.err());
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        if (work == null) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (Path m : new Path[] {mnt, ourMnt}) {
            if (m != null && Files.readString(Path.of("/proc/mounts")).contains(" " + m + " ")) {
                Tree.Result r = Tree.exec(List.of("scripts/denyfs", "umount", m.toString()));
                if (r.status() != 0) {
                    Tree.exec(List.of("fusermount", "-u", "-z", m.toString()));
                    failures.add("umount " + m + ": " + r.err());
                }
            }
        }
        if (failures.isEmpty()) {
            Tree.exec(List.of("rm", "-rf", "--one-file-system", work.toString()));
        }
        assertEquals(List.of(), failures);
    }

    /** One comparison: what to run (kmod's argv; ours is the same command line), both results. */
    record Case(String what, List<String> argv) {}

    /** The tally: cases compared, the differing ones (the first few kept in full). */
    static final class Tally {
        int compared;
        int differing;
        final List<String> shown = new ArrayList<>();
        final Map<String, int[]> byKind = new LinkedHashMap<>();

        void add(String kind, String what, Tree.Result kmod, Tree.Result ours) {
            compared++;
            int[] k = byKind.computeIfAbsent(kind, x -> new int[2]);
            k[0]++;
            if (!kmod.equals(ours)) {
                differing++;
                k[1]++;
                if (shown.size() < SHOWN && shown.stream().filter(x -> x.startsWith(kind + ": ")).count() < 2) {
                    shown.add(kind + ": " + what + "\n--- kmod 30 (status " + kmod.status() + ")\n" + kmod.out() + "--- stderr\n" + kmod.err()
                            + "--- denyfs (status " + ours.status() + ")\n" + ours.out() + "--- stderr\n" + ours.err());
                }
            }
        }

        String report() {
            StringBuilder sb = new StringBuilder("kmod 30 comparison: " + compared + " cases compared, " + differing + " differ\n");
            byKind.forEach((k, v) -> sb.append(String.format("  %-28s %6d compared %6d differ%n", k, v[0], v[1])));
            for (String s : shown) {
                sb.append("==== ").append(s).append('\n');
            }
            return sb.toString();
        }
    }

    @Test
    void everyModuleAndAlias_sameOutputAsKmod30() throws Exception {
        long t0 = System.nanoTime();
        Tally tally = new Tally();
        String root = tree.root().toString();
        String rel = tree.release();
        List<String> modules = moduleNames();
        List<String> builtin = lines("modules.builtin").stream().map(ModuleIndex::moduleName).toList();
        List<String> aliases = aliasPatterns();
        Path conf = modprobeD(modules);
        Path conf2 = Files.createDirectories(work.resolve("modprobe.d-2"));
        Files.writeString(conf2.resolve("denyfs-test.conf"), "options " + modules.get(0) + " hidden_by_the_first=1\n");
        Files.writeString(conf2.resolve("zz-second.conf"), "options " + modules.get(0) + " from_the_second=1\n");

        List<Case> cases = new ArrayList<>();
        List<String> all = new ArrayList<>(modules);
        all.addAll(builtin);
        for (String m : all) {
            cases.add(new Case("modinfo", List.of("modinfo", "-b", root, "-k", rel, m)));
        }
        for (String m : all) {
            cases.add(new Case("show-depends", List.of("modprobe", "-C", "/dev/null", "-d", root, "-S", rel, "--show-depends", m)));
        }
        for (String a : aliases) {
            cases.add(new Case("show-depends alias", List.of("modprobe", "-C", "/dev/null", "-d", root, "-S", rel, "--show-depends", a)));
            cases.add(new Case("resolve-alias", List.of("modprobe", "-C", "/dev/null", "-d", root, "-S", rel, "-R", a)));
        }
        List<String> configured = new ArrayList<>(all);
        configured.addAll(List.of("denyfs-alias", "denyfs-glob-x", "denyfs_alias", "nosuch", "denyfs-bad]"));
        for (String m : configured) {
            cases.add(new Case("show-depends modprobe.d", List.of("modprobe", "-C", conf.toString(), "-C", conf2.toString(),
                    "-d", root, "-S", rel, "--show-depends", m)));
        }
        for (String m : List.of("denyfs-alias", "denyfs-glob-x", modules.get(0))) {
            cases.add(new Case("resolve-alias modprobe.d", List.of("modprobe", "-C", conf.toString(), "-d", root, "-S", rel, "-R", m)));
        }
        cases.add(new Case("show-config", List.of("modprobe", "-C", "/dev/null", "-d", root, "-S", rel, "-c")));
        cases.add(new Case("show-config", List.of("modprobe", "-C", conf.toString(), "-C", conf2.toString(), "-d", root, "-S", rel, "-c")));
        System.out.println("kmod 30 comparison: " + cases.size() + " modinfo and modprobe cases on the files");
        compareAll(cases, tally);
        long t1 = System.nanoTime();
        System.out.println("kmod 30 comparison: modinfo -F of every field");

        compareFields(all, tally);
        long t2 = System.nanoTime();

        System.out.println("kmod 30 comparison: loading and removal on the mounts");
        compareLoading(modules, conf, tally);
        long t3 = System.nanoTime();

        System.out.print(tally.report());
        System.out.printf("kmod 30 comparison took %.1f s (files %.1f s, fields %.1f s, loading %.1f s)%n", (t3 - t0) / 1e9,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        assertTrue(tally.compared > 10_000, "the comparison covers the tree: " + tally.compared);
        assertEquals(0, tally.differing, tally.report());
    }

    /**
     * Runs every case on both sides in parallel (a kmod process, and our tools in this JVM: one
     * Loader per case, nothing shared) and tallies them in order.
     */
    private void compareAll(List<Case> cases, Tally tally) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<Tree.Result[]>> results = new ArrayList<>();
            for (Case c : cases) {
                results.add(pool.submit(() -> new Tree.Result[] {kmod(c.argv()), ours(c.argv(), null)}));
            }
            for (int i = 0; i < cases.size(); i++) {
                Tree.Result[] r = results.get(i).get();
                tally.add(cases.get(i).what(), String.join(" ", cases.get(i).argv()), r[0], r[1]);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * modinfo -F FIELD of every field of every module: one kmod process per field with all the
     * modules that have it (kmod prints them in argument order), split per module only to count a
     * difference. The fields are those kmod's full modinfo shows, plus filename and name.
     */
    private void compareFields(List<String> modules, Tally tally) throws Exception {
        String root = tree.root().toString();
        String rel = tree.release();
        Map<String, Set<String>> byField = new LinkedHashMap<>();
        for (String m : modules) {
            Tree.Result full = ours(List.of("modinfo", "-b", root, "-k", rel, m), null);
            Set<String> fields = new LinkedHashSet<>(List.of("filename", "name"));
            for (String line : full.out().split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("\t") && !line.substring(0, colon).contains(" ")) {
                    fields.add(line.substring(0, colon));
                }
            }
            for (String f : fields) {
                byField.computeIfAbsent(f, x -> new LinkedHashSet<>()).add(m);
            }
        }
        List<Case> batches = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : byField.entrySet()) {
            List<String> argv = new ArrayList<>(List.of("modinfo", "-b", root, "-k", rel, "-F", e.getKey()));
            argv.addAll(e.getValue());
            batches.add(new Case("modinfo -F " + e.getKey(), argv));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<Tree.Result>> kmod = new ArrayList<>();
            for (Case c : batches) {
                kmod.add(pool.submit(() -> kmod(c.argv())));
            }
            for (int i = 0; i < batches.size(); i++) {
                Case c = batches.get(i);
                List<String> names = c.argv().subList(7, c.argv().size());
                Tree.Result k = kmod.get(i).get();
                Tree.Result o = ours(c.argv(), null);
                if (k.equals(o)) {
                    for (int n = 0; n < names.size(); n++) {
                        tally.add("modinfo -F", c.what(), k, o);
                    }
                    continue;
                }
                for (String m : names) { // a difference: compare module by module to count and show it
                    List<String> one = new ArrayList<>(c.argv().subList(0, 7));
                    one.add(m);
                    tally.add("modinfo -F", String.join(" ", one), kmod(one), ours(one, null));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Load and removal on the mount, kmod's sequence first, then ours from the same empty kernel:
     * each step's output and the kernel's module list after it are compared. Every module with
     * dependencies or softdeps gets the sequence; the modprobe.d directory gets its own.
     */
    private void compareLoading(List<String> modules, Path conf, Tally tally) throws Exception {
        String rel = tree.release();
        List<String> base = List.of("modprobe", "-C", "/dev/null", "-d", mnt.toString(), "-S", rel);
        List<String> withConf = List.of("modprobe", "-C", conf.toString(), "-d", mnt.toString(), "-S", rel);
        Loader index = Loader.open(null, Loader.moduleDir(tree.root(), rel), List.of(Path.of("/dev/null")), new Tree.Capture().log("x", 0));
        List<List<List<String>>> sequences = new ArrayList<>();
        for (String m : modules) {
            Loader.Mod mod = new Loader.Mod(m, null, false);
            boolean soft = !index.softdeps(mod).get(0).isEmpty() || !index.softdeps(mod).get(1).isEmpty();
            if (index.dependencies(mod).isEmpty() && !soft) {
                continue;
            }
            sequences.add(List.of(plus(base, "-n", "-v", m), plus(base, "-v", m), plus(base, "--first-time", m),
                    plus(base, "-r", "-v", m), plus(base, "-r", "--first-time", m)));
        }
        List<List<String>> configured = new ArrayList<>();
        for (String m : List.of("denyfs-alias", "denyfs-glob-x", "denyfs-install", "denyfs-install-fails")) {
            configured.add(plus(withConf, "-v", m));
            configured.add(plus(withConf, "-v", "-b", m));
            configured.add(plus(withConf, "-r", "-v", m));
        }
        for (String m : modules.subList(0, 40)) {
            configured.add(plus(withConf, "-n", "-v", m));
            configured.add(plus(withConf, "-v", m, "extra=1"));
            configured.add(plus(withConf, m));
            configured.add(plus(withConf, "-r", "-n", "-v", m));
            configured.add(plus(withConf, "-v", "-i", m));
            configured.add(plus(withConf, "-r", "-v", m));
            configured.add(plus(withConf, "-r", "-v", "-i", m));
        }
        configured.add(plus(withConf, "-a", "-v", modules.get(1), modules.get(2), "nosuch"));
        configured.add(plus(withConf, "-r", "-a", "-v", modules.get(1), modules.get(2), "nosuch"));
        configured.add(plus(withConf, "-r", "--remove-holders", "-v", modules.get(1)));
        sequences.add(configured);
        ExecutorService kmodSide = Executors.newSingleThreadExecutor();
        try {
            for (List<List<String>> seq : sequences) { // kmod's sequence on its mount while ours runs on the other
                Future<List<Tree.Result[]>> kmod = kmodSide.submit(() -> {
                    List<Tree.Result[]> results = new ArrayList<>();
                    for (List<String> step : seq) {
                        results.add(new Tree.Result[] {kmod(plus(List.of("stdbuf", "-oL"), step.toArray(String[]::new))),
                            new Tree.Result(state(mnt), "", 0)});
                    }
                    clear(mnt);
                    return results;
                });
                List<Tree.Result[]> ours = new ArrayList<>();
                for (List<String> step : seq) {
                    List<String> here = new ArrayList<>(step);
                    here.set(here.indexOf("-d") + 1, ourMnt.toString());
                    Tree.Result o = ours(here, ourMnt);
                    ours.add(new Tree.Result[] {new Tree.Result(o.out().replace(ourMnt.toString(), mnt.toString()),
                            o.err().replace(ourMnt.toString(), mnt.toString()), o.status()), new Tree.Result(state(ourMnt), "", 0)});
                }
                clear(ourMnt);
                List<Tree.Result[]> theirs = kmod.get();
                String kind = seq == configured ? "load modprobe.d" : "load and remove";
                for (int i = 0; i < seq.size(); i++) {
                    String what = String.join(" ", seq.get(i));
                    tally.add(kind, what, theirs.get(i)[0], ours.get(i)[0]);
                    tally.add(kind + " (kernel state)", what, theirs.get(i)[1], ours.get(i)[1]);
                }
            }
        } finally {
            kmodSide.shutdownNow();
        }
    }

    private static List<String> plus(List<String> base, String... more) {
        List<String> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l;
    }

    /** The emulated kernel's module list: /proc/modules without the sizes and addresses. */
    private static String state(Path m) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(m.resolve(".denyfs/proc/modules"))) {
            String[] f = line.split(" ");
            sb.append(f[0]).append(' ').append(f[2]).append(' ').append(f[3]).append(' ').append(f[4]).append('\n');
        }
        return sb.toString();
    }

    /**
     * Empties an emulated kernel as far as it goes: unused modules removed until no removal
     * succeeds. A module without an exit function stays (as in Linux), on both mounts alike.
     */
    private static void clear(Path mount) throws Exception {
        KernelClient k = new KernelClient(mount);
        boolean removed = true;
        while (removed) {
            removed = false;
            for (KernelClient.ProcModule m : k.procModules()) {
                if (m.refcnt() == 0) {
                    try {
                        k.delete(m.name(), KernelClient.O_NONBLOCK);
                        removed = true;
                    } catch (LoaderException e) {
                        // permanent, or still used: it stays
                    }
                }
            }
        }
    }

    /**
     * Debian's kmod, through the preload library: the mount's views, an empty /proc/cmdline. Where
     * it runs install and remove commands, its stdout is line-buffered (ARGV starts with stdbuf
     * -oL), as on a terminal: into a pipe, stdio would hold kmod's own lines back until it exits,
     * behind the output of the commands.
     */
    private static Tree.Result kmod(List<String> argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(argv);
        int tool = argv.get(0).equals("stdbuf") ? 2 : 0;
        cmd.set(tool, "/usr/sbin/" + argv.get(tool));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LD_PRELOAD", preload.toString());
        pb.environment().put("DENYFS_MOUNT", mnt.toString());
        pb.environment().remove("MODPROBE_OPTIONS");
        Path err = Files.createTempFile(work, "err", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        String e = Files.readString(err);
        Files.delete(err);
        return new Tree.Result(new String(out, StandardCharsets.UTF_8), e, status);
    }

    /** The same command line, run by denyfs's Java tools in this JVM. */
    static Tree.Result ours(List<String> argv, Path mount) throws IOException {
        Tree.Capture c = new Tree.Capture();
        String program = argv.get(0);
        String root = null;
        String release = null;
        List<Path> config = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        String field = null;
        char sep = '\n';
        boolean modname = false;
        StringBuilder flags = new StringBuilder();
        boolean removeHolders = false;
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            switch (a) {
                case "-d" -> root = argv.get(++i);
                case "-b" -> {
                    if (program.equals("modinfo")) {
                        root = argv.get(++i);
                    } else {
                        flags.append('b');
                    }
                }
                case "-k", "-S" -> release = argv.get(++i);
                case "-C" -> config.add(Path.of(argv.get(++i)));
                case "-F" -> field = argv.get(++i);
                case "-0" -> sep = '\0';
                case "-m" -> modname = true;
                case "--show-depends" -> flags.append('D');
                case "--first-time" -> flags.append('F');
                case "--remove-holders" -> removeHolders = true;
                case "-i" -> flags.append('i');
                default -> {
                    if (a.startsWith("-") && a.length() == 2 && rest.isEmpty()) {
                        flags.append(a.charAt(1));
                    } else {
                        rest.add(a);
                    }
                }
            }
        }
        Path moddir = Loader.moduleDir(Path.of(root), release);
        if (program.equals("modinfo")) {
            Loader l = Loader.open(null, moddir, List.of(), c.log("modinfo", Log.WARNING));
            return c.result(new Modinfo(l, new Modinfo.Options(field, sep, modname)).run(rest));
        }
        String f = flags.toString();
        Modprobe.Options o = new Modprobe.Options(f.contains("a"), f.contains("r"), removeHolders, f.contains("F"), f.contains("i"),
                f.contains("b"), f.contains("f"), false, false, f.contains("D"), f.contains("n"), f.contains("R"), f.contains("q"),
                (int) f.chars().filter(ch -> ch == 'v').count(), f.contains("c"));
        Loader l = Loader.open(mount, moddir, config, c.log("modprobe", Modprobe.threshold(o)));
        return c.result(new Modprobe(l, o).run(rest));
    }

    private static List<String> lines(String file) throws IOException {
        Path p = tree.moduleDir().resolve(file);
        return Files.exists(p) ? Files.readAllLines(p).stream().filter(s -> !s.isBlank() && !s.startsWith("#")).toList() : List.of();
    }

    /** Every module of modules.dep, in its order. */
    private static List<String> moduleNames() throws IOException {
        return lines("modules.dep").stream().map(l -> ModuleIndex.moduleName(l.substring(0, l.indexOf(':')))).toList();
    }

    /** Every distinct pattern of modules.alias, as written there. */
    private static List<String> aliasPatterns() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        for (String l : lines("modules.alias")) {
            String[] f = l.split("\\s+");
            if (f.length == 3) {
                out.add(f[1]);
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * A modprobe.d directory made from the tree: the modules it names are the first ones of
     * modules.dep with the property each line needs, so no list is kept by hand.
     */
    private static Path modprobeD(List<String> modules) throws IOException {
        Loader index = Loader.open(null, tree.moduleDir(), List.of(Path.of("/dev/null")), new Tree.Capture().log("x", 0));
        List<String> withDeps = new ArrayList<>();
        List<String> leaves = new ArrayList<>();
        for (String m : modules) {
            (index.dependencies(new Loader.Mod(m, null, false)).isEmpty() ? leaves : withDeps).add(m);
        }
        String a = withDeps.get(0);
        String b = leaves.get(0);
        String c = leaves.get(1);
        String d = leaves.get(2);
        String e = withDeps.get(1);
        String aliased = index.lookup(aliasPatterns().get(0)).get(0).name();
        Path dir = Files.createDirectories(work.resolve("modprobe.d"));
        Files.writeString(dir.resolve("denyfs-test.conf"), String.join("\n",
                "# every keyword of modprobe.d(5), and bad lines",
                "alias denyfs-alias " + a,
                "alias denyfs-glob* " + b,
                "alias denyfs-install " + c,
                "alias denyfs-install-fails " + d,
                "options " + a + "  opt_a=1\topt_b=\"x y\"  ",
                "options " + b,
                "options denyfs-alias via_alias=1",
                "options " + e.replace('_', '-') + " dashed=1",
                "blacklist " + aliased,
                "blacklist " + b,
                "softdep " + a + " pre: " + b + " " + c + " post: " + d,
                "softdep " + a + " pre: " + e,
                "softdep " + e.substring(0, 3) + "* skipped pre: " + leaves.get(3) + " post: nosuch-module",
                "install " + c + " /bin/echo installing $MODPROBE_MODULE with $CMDLINE_OPTS; /bin/true",
                "install " + d + " /bin/false",
                "remove " + c + " /bin/echo removing $MODPROBE_MODULE",
                "remove " + leaves.get(4) + " exit 3",
                "denyfs-unknown-keyword x",
                " alias indented " + a,
                "include /etc/other.conf",
                "options",
                "alias bad] " + a,
                "options " + leaves.get(5) + " continued=1 \\",
                "    second_line=2",
                "options " + leaves.get(6) + " back\\slash=1",
                "") + "options " + leaves.get(7) + " no_newline=1");
        Files.writeString(dir.resolve("00-first.alias"), "alias denyfs-from-alias-file " + b + "\nsoftdep " + b + " post: " + c + "\n");
        Files.writeString(dir.resolve(".hidden.conf"), "alias denyfs-hidden " + a + "\n");
        Files.writeString(dir.resolve("ignored.txt"), "alias denyfs-txt " + a + "\n");
        Files.createDirectories(dir.resolve("subdir.conf"));
        return dir;
    }
}

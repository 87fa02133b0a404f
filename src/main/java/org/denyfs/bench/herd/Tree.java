package org.denyfs.bench.herd;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.denyfs.bench.harness.Exec;
import org.denyfs.user.kmod.Loader;
import org.denyfs.user.kmod.Log;

/**
 * The module tree a herd loads from: a directory holding lib/modules/RELEASE with depmod's files.
 * By default Debian's cloud kernel modules, prepared once by scripts/prepare-module-tree.sh and
 * cached (the tests use the same cache).
 *
 * @param origin what the tree is, for the report ("linux-image-6.1.0-57-cloud-amd64-unsigned ...")
 */
record Tree(Path root, String release, String origin) {
    static final Path DEFAULT_CACHE = Path.of("/var/cache/denyfs/modtree");
    private static final Duration PREPARE_TIMEOUT = Duration.ofMinutes(20);

    /** The modules a MODALIAS brings in, dependencies first, each once, their files (below the root) and sizes on disk. */
    record ModuleSet(List<String> names, long bytes, List<Long> sizes, List<Path> files) {
        ModuleSet(List<String> names, long bytes, List<Long> sizes) {
            this(names, bytes, sizes, List.of());
        }
    }

    /**
     * --root as given; else, with {@code generated}, a tree built here of the same shape; else the
     * cache ($DENYFS_MODTREE or /var/cache/denyfs/modtree), prepared on first use, and when that
     * fails (no package registry) the generated tree.
     */
    static Tree locate(Path givenRoot, String givenRelease, boolean generated, Path repoRoot, Exec exec,
                           PrintWriter progress) throws IOException {
        if (givenRoot != null) {
            Path root = givenRoot.toAbsolutePath().normalize();
            return new Tree(root, release(root, givenRelease), "the tree at " + root);
        }
        String env = System.getenv("DENYFS_MODTREE");
        Path cache = env == null || env.isEmpty() ? DEFAULT_CACHE : Path.of(env);
        if (generated) {
            return GeneratedModuleTree.ensure(cache.resolve("generated"), exec, progress);
        }
        Path pkg = cache.resolve("PACKAGE");
        if (!Files.isRegularFile(pkg)) {
            try {
                prepare(cache, repoRoot, exec, progress);
            } catch (IOException e) {
                progress.println(e.getMessage() + "; using a generated tree of the same shape instead");
                return GeneratedModuleTree.ensure(cache.resolve("generated"), exec, progress);
            }
        }
        String[] p = Files.readString(pkg).trim().split(" ");
        Path root = cache.resolve("root");
        return new Tree(root, release(root, givenRelease != null ? givenRelease : p[p.length - 1]),
                "Debian " + p[0] + " " + (p.length > 1 ? p[1] : "") + " (cached in " + cache + ")");
    }

    private static void prepare(Path cache, Path repoRoot, Exec exec, PrintWriter progress) throws IOException {
        Path script = repoRoot == null ? null : repoRoot.resolve("scripts/prepare-module-tree.sh");
        if (script == null || !Files.isRegularFile(script)) {
            throw new IOException("no module tree in " + cache + " and no scripts/prepare-module-tree.sh to make one");
        }
        progress.println("preparing Debian's cloud kernel modules in " + cache + " (first use: one package download"
                + " of about 40 MB, unpacked to about 110 MB, then depmod; later runs reuse it)...");
        progress.flush();
        Exec.Result r = exec.run(List.of("bash", script.toString(), cache.toString()), PREPARE_TIMEOUT);
        r.stdout().lines().forEach(l -> progress.println("  " + l));
        progress.flush();
        if (!r.ok()) {
            throw new IOException("could not prepare Debian's module tree (" + r.describe() + ")");
        }
    }

    /** The release asked for, which must exist, or the tree's only one. */
    private static String release(Path root, String asked) throws IOException {
        Path modules = root.resolve("lib/modules");
        if (asked != null) {
            if (!Files.isDirectory(modules.resolve(asked))) {
                throw new IOException(modules.resolve(asked) + ": No such file or directory");
            }
            return asked;
        }
        if (!Files.isDirectory(modules)) {
            throw new IOException(modules + ": No such file or directory (not a module tree)");
        }
        List<String> releases;
        try (Stream<Path> s = Files.list(modules)) {
            releases = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (releases.size() != 1) {
            throw new IOException(modules + " holds " + (releases.isEmpty() ? "no release" : "several releases "
                    + releases) + "; pass --release R");
        }
        return releases.get(0);
    }

    /**
     * What a probe of {@code modalias} loads: the Java loader's probe lists (kmod's
     * --show-depends) read from the tree itself, no mount, each module once.
     */
    ModuleSet resolve(String modalias) throws IOException {
        Loader loader = Loader.open(null, root.resolve("lib/modules").resolve(release), List.of(), SILENT);
        Set<Path> files = new LinkedHashSet<>();
        for (Loader.Mod m : loader.lookup(modalias)) {
            if (loader.isBuiltin(m)) {
                continue;
            }
            for (Loader.Mod x : loader.probeList(m, true)) {
                Path p = loader.path(x.name());
                if (p != null) {
                    files.add(p);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException("MODALIAS '" + modalias + "' matches no module of " + root + " (" + release + ")");
        }
        List<String> names = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        List<Path> below = new ArrayList<>();
        long bytes = 0;
        for (Path f : files) {
            String n = f.getFileName().toString();
            names.add(n.substring(0, n.indexOf(".ko")).replace('-', '_'));
            sizes.add(Files.size(f));
            below.add(f.isAbsolute() && f.startsWith(root) ? root.relativize(f) : f);
            bytes += Files.size(f);
        }
        return new ModuleSet(List.copyOf(names), bytes, List.copyOf(sizes), List.copyOf(below));
    }

    /** The loader's messages are not the report's. */
    private static final Log SILENT = new Log() {
        @Override
        public void log(int priority, String message) {
        }

        @Override
        public void out(String text) {
        }

        @Override
        public void stderr(String text) {
        }
    };
}

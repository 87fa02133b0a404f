package org.denyfs.bench.herd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.denyfs.bench.harness.Exec;
import org.denyfs.bench.harness.Executables;
import org.denyfs.image.Compression;

/**
 * The herd's module tree with every module compressed, as a distribution that compresses its
 * modules ships it: each {@code .ko} under lib/modules written as {@code .ko.xz} or {@code .ko.zst}
 * by image.Compression (the kernel's modules_install settings), everything else copied, and depmod
 * run again so its indexes name the new files. Made once per source tree and format and cached
 * under $DENYFS_MODTREE (or /var/cache/denyfs/modtree)/compressed-FORMAT/, like the plain tree.
 */
final class CompressedTree {
    private static final Duration DEPMOD_TIMEOUT = Duration.ofMinutes(5);
    private static final String MARKER = "COMPRESSED";

    private CompressedTree() {
    }

    static Tree ensure(Tree source, Config.Compress format, Exec exec, PrintWriter progress) throws IOException {
        Compression c = format == Config.Compress.XZ ? Compression.XZ : Compression.ZSTD;
        String env = System.getenv("DENYFS_MODTREE");
        Path cache = (env == null || env.isEmpty() ? Tree.DEFAULT_CACHE : Path.of(env))
                .resolve("compressed-" + format.sysfsName())
                .resolve(source.root().toString().replace('/', '_') + "_" + source.release());
        Path root = cache.resolve("root");
        Path marker = cache.resolve(MARKER);
        String origin = source.origin() + ", every module " + format.sysfsName() + "-compressed (cached in " + cache + ")";
        if (Files.isRegularFile(marker)) {
            return new Tree(root, source.release(), origin);
        }
        if (Executables.onPath("depmod").isEmpty()) {
            throw new IOException("--compress needs depmod to index the compressed modules: apt-get install kmod");
        }
        Files.createDirectories(cache);
        Path work = Files.createTempDirectory(cache, "building-");
        try {
            progress.println("compressing every module of " + source.root() + " with " + format.sysfsName() + " into "
                    + cache + " (first use only; later runs reuse it)...");
            progress.flush();
            int modules = copy(source.root(), work, c, progress);
            Exec.Result r = exec.run(List.of("depmod", "-b", work.toString(), source.release()), DEPMOD_TIMEOUT);
            if (!r.ok()) {
                throw new IOException("depmod -b " + work + " " + source.release() + " failed: " + r.describe());
            }
            deleteTree(root);
            Files.move(work, root, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(marker, source.root() + " " + source.release() + " " + modules + " modules\n");
            progress.println("compressed " + modules + " modules; depmod done");
            progress.flush();
        } finally {
            deleteTree(work);
        }
        return new Tree(root, source.release(), origin);
    }

    /** Copies {@code from} into {@code to}, compressing each module; returns how many it compressed. */
    private static int copy(Path from, Path to, Compression c, PrintWriter progress) throws IOException {
        List<Path[]> modules = new ArrayList<>();
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path rel = from.relativize(file);
                Path target = to.resolve(rel.toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(file));
                } else if (rel.startsWith("lib/modules") && file.getFileName().toString().endsWith(".ko")) {
                    modules.add(new Path[] {file, target.resolveSibling(
                            file.getFileName().toString().replaceAll("\\.ko$", "") + c.moduleSuffix())});
                } else if (attrs.isRegularFile()) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        AtomicInteger done = new AtomicInteger();
        int tenth = Math.max(1, modules.size() / 10);
        try {
            modules.parallelStream().forEach(m -> {
                compress(m[0], m[1], c);
                int n = done.incrementAndGet();
                if (n % tenth == 0) {
                    synchronized (progress) {
                        progress.println(String.format(Locale.ROOT, "  %d/%d modules compressed", n, modules.size()));
                        progress.flush();
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return modules.size();
    }

    private static void compress(Path from, Path to, Compression c) {
        try (InputStream in = Files.newInputStream(from); OutputStream out = c.compressing(Files.newOutputStream(to))) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(from + ": cannot compress to " + to + ": " + e.getMessage(), e));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

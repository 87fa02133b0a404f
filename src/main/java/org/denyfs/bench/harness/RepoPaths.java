package org.denyfs.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Locates the denyfs checkout from the working directory (or any parent), because iobench.c, its
 * build output and the default denyfs launcher are all named relative to it.
 */
public final class RepoPaths {
    public static final String IOBENCH_SOURCE = "src/main/c/bench/iobench.c";
    public static final String IOBENCH_BINARY = "target/native/iobench";

    private RepoPaths() {
    }

    public static Optional<Path> findRoot(Path start) {
        for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isRegularFile(d.resolve(IOBENCH_SOURCE))) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    public static Optional<Path> findRoot() {
        return findRoot(Path.of(System.getProperty("user.dir")));
    }

    /** Where a benchmark writes its report unless told: target/bench-NAME-yyyyMMdd-HHmmss in the checkout (or here). */
    public static Path defaultOut(String bench) {
        Path base = findRoot().orElse(Path.of(System.getProperty("user.dir")));
        return base.resolve("target").resolve("bench-" + bench + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
}

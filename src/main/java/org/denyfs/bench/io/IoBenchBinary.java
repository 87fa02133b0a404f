package org.denyfs.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.denyfs.bench.harness.Exec;
import org.denyfs.bench.harness.Executables;
import org.denyfs.bench.harness.RepoPaths;

/** Finds the iobench load generator, building it with gcc when it is missing or older than its source. */
final class IoBenchBinary {
    /** @param built true when this call compiled it (worth a progress line) */
    record Located(Path path, boolean built) {
    }

    private IoBenchBinary() {
    }

    static Located locate(Path explicit, Path repoRoot, Exec exec) throws IOException {
        if (explicit != null) {
            if (!Files.isExecutable(explicit)) {
                throw new IOException("--iobench " + explicit + " is not an executable file");
            }
            return new Located(explicit, false);
        }
        if (repoRoot == null) {
            throw new IOException("cannot find the denyfs repository (looked for " + RepoPaths.IOBENCH_SOURCE
                    + " from the working directory up): run from the checkout or pass --iobench PATH");
        }
        Path source = repoRoot.resolve(RepoPaths.IOBENCH_SOURCE);
        Path binary = repoRoot.resolve(RepoPaths.IOBENCH_BINARY);
        if (Files.isExecutable(binary)
                && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) >= 0) {
            return new Located(binary, false);
        }
        List<String> gccCommand = List.of("gcc", "-O2", "-Wall", "-Wextra", "-o", binary.toString(), source.toString());
        if (Executables.onPath("gcc").isEmpty()) {
            throw new IOException("gcc is not installed (apt-get install gcc), and iobench must be built: "
                    + String.join(" ", gccCommand) + " - or pass --iobench PATH");
        }
        Files.createDirectories(binary.getParent());
        Exec.Result r = exec.run(gccCommand, Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new IOException("building iobench failed: " + r.describe());
        }
        return new Located(binary, true);
    }
}

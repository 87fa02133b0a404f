package org.denyfs.bench.harness;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a child process to completion, capturing both streams, so nothing a child prints leaks onto our terminal. */
public final class Exec {
    public record Result(List<String> command, int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }

        /** For error messages: the command and whatever it said. */
        public String describe() {
            String said = (stderr.strip() + " " + stdout.strip()).strip();
            return String.join(" ", command) + " exited " + exit + (said.isEmpty() ? "" : ": " + said);
        }
    }

    private final Cleanup cleanup;

    /**
     * @param cleanup the running child is registered here so Ctrl-C kills it before unmounting; null for
     *     commands run by cleanup itself (an unmount must not be killed by the cleanup it belongs to)
     */
    public Exec(Cleanup cleanup) {
        this.cleanup = cleanup;
    }

    /**
     * The child writes into temporary files, not pipes: a mount command's daemon may inherit its
     * stdout and keep it open forever, and a pipe would then never reach EOF.
     */
    public Result run(List<String> command, Duration timeout) throws IOException {
        if (cleanup != null && cleanup.stopping()) {
            throw new IOException("stopping: not starting " + command.get(0));
        }
        Path outFile = Files.createTempFile("denyfs-bench-exec-", ".out");
        Path errFile = Files.createTempFile("denyfs-bench-exec-", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
            Cleanup.Handle kill = cleanup == null ? null
                    : cleanup.add("kill " + command.get(0), () -> p.destroyForcibly().waitFor());
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted while running " + command.get(0), e);
            } finally {
                if (kill != null) {
                    kill.forget();
                }
            }
            return new Result(List.copyOf(command), p.exitValue(), read(outFile), read(errFile));
        } finally {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}

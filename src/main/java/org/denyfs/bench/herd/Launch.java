package org.denyfs.bench.herd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.denyfs.bench.harness.Cleanup;

/**
 * Runs one herd through {@code denyfs-herd} (src/main/c/bench/herd.c): N workers forked first and
 * released together, each with its output in its own log. Reports progress as workers end.
 */
final class Launch {
    /** One worker's end: exit status (-1 if killed), the signal that killed it (0 if none), when it ended. */
    record Worker(int index, int pid, int exit, int signal, long endMicros) {
        boolean exitedCleanly() {
            return exit == 0 && signal == 0;
        }
    }

    /** What the launcher said once every worker had ended. */
    record Outcome(long releaseNanos, double forkMillis, List<Worker> workers) {
        double wallMillis() {
            return workers.stream().mapToLong(Worker::endMicros).max().orElse(0) / 1000.0;
        }
    }

    private Launch() {
    }

    /**
     * @param onDone called with the number of workers done, as the launcher reports it
     * @throws IOException if the launcher fails, a worker could not be started, or the herd outlives {@code timeout}
     */
    static Outcome run(Path herd, List<String> herdOptions, int workers, List<String> workerCommand, Map<String, String> env,
                       Path logs, Duration timeout, Cleanup cleanup, IntConsumer onDone) throws IOException {
        Files.createDirectories(logs);
        List<String> cmd = new ArrayList<>(List.of(herd.toString(), "--logs", logs.toString()));
        cmd.addAll(herdOptions);
        cmd.addAll(List.of(Integer.toString(workers), "--"));
        cmd.addAll(workerCommand);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(logs.resolve("herd.out").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        Cleanup.Handle kill = cleanup.add("kill the herd", () -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        });
        List<String> said = java.util.Collections.synchronizedList(new ArrayList<>());
        // stderr is read on its own thread: a herd that hangs must still meet the timeout below
        Thread reader = new Thread(() -> readProgress(p, said, onDone), "denyfs-herd-progress");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("the herd did not finish within " + timeout + " (worker logs in " + logs + ")");
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the herd ran", e);
        } finally {
            kill.run();
        }
        if (p.exitValue() != 0) {
            throw new IOException(herd.getFileName() + " exited " + p.exitValue() + ": " + String.join("; ", said)
                    + " (worker logs in " + logs + ")");
        }
        return parse(Files.readString(logs.resolve("herd.out")), workers);
    }

    private static void readProgress(Process p, List<String> said, IntConsumer onDone) {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = err.readLine()) != null; ) {
                if (line.startsWith("herd: done ")) {
                    onDone.accept(Integer.parseInt(line.substring("herd: done ".length(), line.indexOf('/'))));
                } else if (!line.startsWith("herd: started")) {
                    said.add(line);
                }
            }
        } catch (IOException e) {
            said.add("reading the herd's progress: " + e.getMessage());
        }
    }

    static Outcome parse(String stdout, int workers) throws IOException {
        long release = -1;
        double fork = 0;
        List<Worker> ws = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            String[] f = line.split("\t");
            switch (f[0]) {
                case "release_ns" -> release = Long.parseLong(f[1]);
                case "fork_ms" -> fork = Double.parseDouble(f[1]);
                case "worker" -> ws.add(new Worker(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                        Integer.parseInt(f[4]), Long.parseLong(f[5])));
                default -> { }
            }
        }
        if (release < 0 || ws.size() != workers) {
            throw new IOException("denyfs-herd reported " + ws.size() + " of " + workers + " workers");
        }
        return new Outcome(release, fork, List.copyOf(ws));
    }
}

package org.denyfs.bench.herd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.denyfs.abi.Abi;
import org.denyfs.bench.harness.Exec;
import org.denyfs.user.client.Client;

/**
 * --in-flight MODULE: one load of MODULE through the mount's control file, started before the herd
 * and awaited until it is COMING (in its init), so that the workers are released while it is in
 * flight. Every probe that needs MODULE then meets a load in progress, whatever the herd's timing:
 * under the seed commit's policy it gets ETXTBSY, under the others it waits and goes on. The module's
 * own dependencies are loaded first, and are live before the release.
 *
 * <p>The load runs in a child shell, not on a thread of this JVM: a control handle open here while
 * its request runs would be inherited by the launcher's fork, whose close of it before exec is a
 * FUSE flush that waits for that very request, so the herd would start only after the load ended.
 */
final class InFlightLoad {
    private final String module;
    private final Path initstate;
    private final Process shell;
    private final CompletableFuture<String> reply;
    private final long startNanos = System.nanoTime();
    private volatile long comingNanos;

    private InFlightLoad(String module, Path initstate, Process shell) {
        this.module = module;
        this.initstate = initstate;
        this.shell = shell;
        this.reply = CompletableFuture.supplyAsync(() -> {
            try {
                String out = new String(shell.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
                return out.isEmpty() ? "no reply (exit " + shell.waitFor() + ")" : out;
            } catch (IOException e) {
                return "no reply: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        });
    }

    static InFlightLoad start(Path mnt, Tree tree, String module, Exec exec) throws IOException {
        Tree.ModuleSet set = tree.resolve(module);
        List<Path> files = set.files();
        String name = set.names().get(set.names().size() - 1);
        try (Client control = Client.open(mnt)) {
            for (Path dep : files.subList(0, files.size() - 1)) {
                String r = control.request(Abi.VERB_FINIT + " " + dep);
                if (!r.equals("ok 0") && !r.startsWith("err EEXIST")) {
                    throw new IOException("--in-flight " + module + ": loading its dependency " + dep + ": " + r);
                }
            }
        }
        Path file = files.get(files.size() - 1);
        // the control protocol: a written line is queued, the read runs it and returns the reply
        Process shell = new ProcessBuilder("sh", "-c", "exec 3<>\"$1\" && printf '%s\\n' \"$2\" >&3 && read -r reply <&3"
                + " && printf '%s\\n' \"$reply\"", "sh", mnt.resolve(Abi.CONTROL_PATH).toString(), Abi.VERB_FINIT + " " + file)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new InFlightLoad(name, mnt.resolve(Abi.SYS_MODULE).resolve(name).resolve("initstate"), shell);
    }

    /** Returns once the module is COMING; fails if its load ended first, or after {@code timeout}. */
    String awaitComing(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (state().equals("coming")) {
                comingNanos = System.nanoTime();
                return String.format(java.util.Locale.ROOT, "%s is in flight (COMING %.0f ms after its load began)", module,
                        (comingNanos - startNanos) / 1e6);
            }
            if (reply.isDone()) {
                throw new IOException("--in-flight " + module + ": its load ended (" + reply.join() + ") before the workers"
                        + " could be released while it was in flight; give a longer --init-ms");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("--in-flight " + module + ": not COMING after " + timeout.toSeconds() + " s");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private String state() throws IOException {
        try {
            return Files.readString(initstate).strip();
        } catch (NoSuchFileException notYet) {
            return "";
        }
    }

    /** Milliseconds from seeing the module COMING to {@code releaseNanos} (CLOCK_MONOTONIC, as System.nanoTime). */
    double comingToRelease(long releaseNanos) {
        return (releaseNanos - comingNanos) / 1e6;
    }

    /** The control file's reply to the load ("ok 0", "err ..."), waiting for it at most {@code timeout}. */
    String finish(Duration timeout) {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException | TimeoutException e) {
            return "no reply: " + e;
        } finally {
            shell.destroyForcibly();
        }
    }
}

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
 */
final class InFlightLoad {
    private final String module;
    private final Path initstate;
    private final CompletableFuture<String> reply;

    private InFlightLoad(String module, Path initstate, CompletableFuture<String> reply) {
        this.module = module;
        this.initstate = initstate;
        this.reply = reply;
    }

    static InFlightLoad start(Path mnt, Tree tree, String module, Path loader, Exec exec) throws IOException {
        Tree.ModuleSet set = tree.resolve(module, loader, exec);
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
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
            try (Client control = Client.open(mnt)) {
                return control.request(Abi.VERB_FINIT + " " + file);
            } catch (IOException e) {
                return "error " + e.getMessage();
            }
        });
        return new InFlightLoad(name, mnt.resolve(Abi.SYS_MODULE).resolve(name).resolve("initstate"), reply);
    }

    /** Returns once the module is COMING; fails if its load ended first, or after {@code timeout}. */
    String awaitComing(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (state().equals("coming")) {
                return module + " is in flight (COMING)";
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

    /** The control file's reply to the load ("ok 0", "err ..."), waiting for it at most {@code timeout}. */
    String finish(Duration timeout) {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException | TimeoutException e) {
            return "no reply: " + e;
        }
    }
}

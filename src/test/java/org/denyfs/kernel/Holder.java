package org.denyfs.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real process that takes something (a writer fd, a control-file deny), says so on stdout, and
 * keeps it until told to go on stdin or killed. The handshake replaces any sleep.
 */
final class Holder implements AutoCloseable {
    final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    private Holder(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = process.getOutputStream();
    }

    /** Runs {@code sh -c SETUP; echo ready; read go}; returns once SETUP is done. */
    static Holder sh(Path cwd, String setup) throws IOException {
        return start(cwd, List.of("sh", "-c", setup + " && echo ready && read go"), "ready");
    }

    static Holder start(Path cwd, List<String> cmd, String readyLine) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Holder h = new Holder(p);
        String line = h.line();
        if (line == null || !line.startsWith(readyLine)) {
            h.close();
            throw new AssertionError("holder did not get ready: " + cmd + " said " + line);
        }
        return h;
    }

    String line() throws IOException {
        return out.readLine();
    }

    /** Lets the process go on to its next step. */
    void go() throws IOException {
        in.write('\n');
        in.flush();
    }

    /** Lets the process finish and waits for it. */
    int finish() throws IOException, InterruptedException {
        go();
        in.close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("holder did not exit");
        }
        return process.exitValue();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package org.denyfs.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real processes for the integration tests and reports what they printed. */
final class Proc {
    private static final long TIMEOUT_SECONDS = 120;

    record Result(int status, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Proc() {}

    /** sh -c SCRIPT, with the working directory given. */
    static Result sh(Path cwd, String script) {
        return run(cwd, List.of("sh", "-c", script));
    }

    static Result run(Path cwd, List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + cmd, e);
        }
    }

    /**
     * Compiles native-test/src/NAME.c once per test JVM next to the build's libdenyfs (Maven's
     * compile phase builds it into DENYFS_NATIVE), linking it in.
     */
    static synchronized Path tool(String name) {
        Path src = Path.of("native-test/src", name + ".c").toAbsolutePath();
        Path nativeDir = Path.of(System.getenv().getOrDefault("DENYFS_NATIVE", "target/native")).toAbsolutePath();
        Path bin = nativeDir.resolve("test-" + name);
        if (!bin.toFile().exists() || bin.toFile().lastModified() < src.toFile().lastModified()) {
            bin.getParent().toFile().mkdirs();
            Result r = run(Path.of("."), List.of("gcc", "-O2", "-Wall", "-Wextra", "-Isrc/main/c/include",
                    "-o", bin.toString(), src.toString(), nativeDir.resolve("libdenyfs.a").toString()));
            if (r.status() != 0) {
                throw new AssertionError("gcc " + src + ": " + r.all());
            }
        }
        return bin;
    }
}

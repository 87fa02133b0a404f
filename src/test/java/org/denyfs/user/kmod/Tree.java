package org.denyfs.user.kmod;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.denyfs.testing.ModuleTree;
import org.junit.jupiter.api.Assumptions;

/**
 * The Debian module tree (scripts/prepare-module-tree.sh; DENYFS_MODTREE or the default path):
 * under CI=true its absence fails the test, elsewhere it skips it. Also runs commands, the loader's
 * in-process and kmod's as oracles, capturing stdout, stderr and exit status.
 */
record Tree(Path root, String release) {
    record Result(String out, String err, int status) {
        String all() {
            return out + err + "rc=" + status;
        }
    }

    static Tree require() {
        ModuleTree tree = ModuleTree.require();
        return new Tree(tree.root(), tree.release());
    }

    Path moduleDir() {
        return root.resolve("lib/modules").resolve(release);
    }

    /** kmod's tools are the oracle: under CI they must be there (.ci/run installs kmod). */
    static void requireKmod() {
        boolean present = Files.isExecutable(Path.of("/usr/sbin/modprobe")) && Files.isExecutable(Path.of("/usr/sbin/modinfo"));
        if ("true".equals(System.getenv("CI")) && !present) {
            throw new AssertionError("CI=true but kmod's modprobe/modinfo are missing (apt-get install kmod)");
        }
        Assumptions.assumeTrue(present, "kmod is not installed");
    }

    static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        return new Result(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8), p.waitFor());
    }

    /** A Log that keeps what the command would print, with kmod's prefixes. */
    static final class Capture {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        ConsoleLog log(String program, int threshold) {
            return new ConsoleLog(program, threshold, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        }

        Result result(int status) {
            return new Result(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status);
        }
    }

    /** denyfs modprobe in-process; args as on the command line after the options. */
    static Result modprobe(Path mount, Path root, String release, Modprobe.Options o, String... args) throws IOException {
        Capture c = new Capture();
        Loader l = Loader.open(mount, Loader.moduleDir(root, release), List.of(), c.log("modprobe", Modprobe.threshold(o)));
        return c.result(new Modprobe(l, o).run(new ArrayList<>(List.of(args))));
    }

    static Modprobe.Options options(String flags) {
        return new Modprobe.Options(flags.contains("a"), flags.contains("r"), false, flags.contains("F"), false,
                false, false, false, false, flags.contains("D"), flags.contains("n"), false, flags.contains("q"),
                flags.contains("v") ? 1 : 0, flags.contains("c"));
    }
}

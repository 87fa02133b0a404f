package org.denyfs.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the daemon as a detached process (its own session, so the shell's Ctrl-C and hangup do
 * not reach it) and returns once it reports the mount ready, or with its error.
 */
final class Background {
    private Background() {}

    static int mount(Path backing, Path mountPoint, List<String> options, String logLevel)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmFlags());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("mount");
        cmd.add("-f");
        cmd.add("--notify-stdout");
        for (String o : options) {
            cmd.add("-o");
            cmd.add(o);
        }
        if (logLevel != null) {
            cmd.add("--log-level");
            cmd.add(logLevel);
        }
        cmd.add(backing.toAbsolutePath().toString());
        cmd.add(mountPoint.toAbsolutePath().toString());
        Process daemon = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.to(new File("/dev/null")))
                .start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
        }
        if (line != null && line.startsWith("ready")) {
            return 0;
        }
        int status = daemon.waitFor();
        String why = line == null ? "the daemon exited with status " + status + " before the mount was ready"
                : line.replaceFirst("^error ", "");
        System.err.println("denyfs mount: " + why);
        return 1;
    }

    /** The daemon inherits the JVM flags the launcher chose (heap, GC), minus debugging agents. */
    private static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>();
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                flags.add(arg);
            }
        }
        return flags;
    }
}

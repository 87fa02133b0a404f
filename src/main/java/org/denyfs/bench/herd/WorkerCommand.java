package org.denyfs.bench.herd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What each herd worker runs: a udev worker's probe of one MODALIAS. kmod's modprobe treats EEXIST
 * as success and reports any other error, as udev's builtin does; both clients below are kmod 30's
 * modprobe. The denyfs client is denyfs-loader's, run as udevd runs libkmod: the launcher loads the
 * module indexes once and each worker is a fork of it ({@code inProcess}). The kmod client executes
 * Debian's modprobe in every worker, with the preload library, and so reads the indexes each time.
 */
record WorkerCommand(List<String> argv, Map<String, String> baseEnv, boolean inProcess) {
    private static final List<Path> KMOD_MODPROBE = List.of(Path.of("/usr/sbin/modprobe"), Path.of("/sbin/modprobe"),
            Path.of("/usr/bin/modprobe"), Path.of("/bin/modprobe"));

    static WorkerCommand of(Config.Client client, Path nativeDir, Tree tree, String modalias) throws IOException {
        return switch (client) {
            case DENYFS -> new WorkerCommand(List.of("modprobe", "-S", tree.release(), "-b", modalias),
                    Map.of("DENYFS_JAR", nativeDir.resolveSibling("denyfs.jar").toString()), true);
            case KMOD -> {
                Path modprobe = KMOD_MODPROBE.stream().filter(Files::isExecutable).findFirst().orElseThrow(
                        () -> new IOException("--client kmod needs kmod's modprobe: apt-get install kmod"));
                Path preload = nativeDir.resolve("libdenyfs-preload.so");
                if (!Files.isRegularFile(preload)) {
                    throw new IOException(preload + ": No such file or directory (build denyfs first: mvn package)");
                }
                // -C /dev/null: no configuration of this machine's; -d and -S: the mount's tree and release.
                yield new WorkerCommand(List.of(modprobe.toString(), "-C", "/dev/null", "-d", "@MOUNT@", "-S",
                        tree.release(), "-b", modalias), Map.of("LD_PRELOAD", preload.toString()), false);
            }
        };
    }

    /** The command line with the mount point in place. */
    List<String> argv(Path mount) {
        return argv.stream().map(a -> a.equals("@MOUNT@") ? mount.toString() : a).toList();
    }

    Map<String, String> env(Path mount) {
        Map<String, String> env = new java.util.HashMap<>(baseEnv);
        env.put("DENYFS_MOUNT", mount.toString());
        return env;
    }

    /** The launcher's own options for this client. */
    List<String> herdOptions(Path mount) {
        return inProcess ? List.of("--udev", mount.toString(), "--release", release()) : List.of();
    }

    /** The release both clients name with -S. */
    private String release() {
        return argv.get(argv.indexOf("-S") + 1);
    }

    /** For the report: the program and its arguments, the MODALIAS abbreviated. */
    String describe() {
        List<String> shown = argv.stream().map(a -> a.length() > 40 ? a.substring(0, 37) + "..." : a).toList();
        String line = String.join(" ", shown).replace(argv.get(0), Path.of(argv.get(0)).getFileName().toString());
        return inProcess ? "denyfs-loader " + line + " (forks of a launcher holding the indexes, as udevd's workers)" : line;
    }
}

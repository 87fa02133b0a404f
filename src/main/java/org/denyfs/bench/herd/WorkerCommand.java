package org.denyfs.bench.herd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each herd worker runs: a udev worker's probe of one MODALIAS, through Debian's kmod with
 * libdenyfs-preload.so pointing its module syscalls and its /sys and /proc reads at the mount.
 * The libkmod worker is what udevd runs: {@code denyfs-herd --libkmod} creates one libkmod context
 * and loads the indexes, and each worker is a fork of it calling kmod_module_probe_insert_module
 * ({@code inProcess}). The modprobe worker executes Debian's modprobe in every worker, and so reads
 * the indexes each time.
 */
record WorkerCommand(List<String> argv, Map<String, String> baseEnv, boolean inProcess, Config.Kmod kmod,
                     String release) {
    private static final List<Path> KMOD_MODPROBE = List.of(Path.of("/usr/sbin/modprobe"), Path.of("/sbin/modprobe"),
            Path.of("/usr/bin/modprobe"), Path.of("/bin/modprobe"));

    static WorkerCommand of(Config.Worker worker, Config.Kmod kmod, Path nativeDir, Tree tree, String modalias)
            throws IOException {
        Path preload = nativeDir.resolve("libdenyfs-preload.so");
        if (!Files.isRegularFile(preload)) {
            throw new IOException(preload + ": No such file or directory (build denyfs first: mvn package)");
        }
        Map<String, String> env = Map.of("LD_PRELOAD", preload.toString());
        return switch (worker) {
            case LIBKMOD -> new WorkerCommand(List.of(modalias), env, true, kmod, tree.release());
            case MODPROBE -> {
                Path modprobe = KMOD_MODPROBE.stream().filter(Files::isExecutable).findFirst().orElseThrow(
                        () -> new IOException("--worker modprobe needs kmod's modprobe: apt-get install kmod"));
                // -C /dev/null: no configuration of this machine's; -d and -S: the mount's tree and release.
                yield new WorkerCommand(List.of(modprobe.toString(), "-C", "/dev/null", "-d", "@MOUNT@", "-S",
                        tree.release(), "-b", modalias), env, false, kmod, tree.release());
            }
        };
    }

    /** The command line (or, for libkmod workers, the MODALIAS) with the mount point in place. */
    List<String> argv(Path mount) {
        return argv.stream().map(a -> a.equals("@MOUNT@") ? mount.toString() : a).toList();
    }

    Map<String, String> env(Path mount) {
        Map<String, String> env = new java.util.HashMap<>(baseEnv);
        env.put("DENYFS_MOUNT", mount.toString());
        return env;
    }

    /** The launcher's own options for this worker. */
    List<String> herdOptions(Path mount) {
        if (!inProcess) {
            return List.of();
        }
        List<String> o = new ArrayList<>(List.of("--libkmod", mount.toString(), "--release", release));
        if (kmod == Config.Kmod.KMOD31) {
            o.add("--kmod31");
        }
        return o;
    }

    /** For the report: the program and its arguments, the MODALIAS abbreviated. */
    String describe() {
        List<String> shown = argv.stream().map(a -> a.length() > 40 ? a.substring(0, 37) + "..." : a).toList();
        if (inProcess) {
            return "libkmod " + (kmod == Config.Kmod.KMOD31 ? "(kmod 31+ route: finit_module with COMPRESSED_FILE) "
                    : "30 ") + "kmod_module_probe_insert_module of " + shown.get(0)
                    + " (forks of one process holding a libkmod context, as udevd's workers)";
        }
        return String.join(" ", shown).replace(argv.get(0), Path.of(argv.get(0)).getFileName().toString());
    }
}

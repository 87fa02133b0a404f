package org.denyfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.denyfs.abi.MountTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "exec",
        description = {
            "Run COMMAND with libdenyfs-preload.so preloaded, so that unmodified kmod tools (insmod, modprobe, "
                    + "rmmod, lsmod) load and unload modules in the emulated kernel of a denyfs mount.",
            "",
            "The library wraps libc's syscall() (finit_module 313, init_module 175, delete_module 176), "
                    + "init_module() and delete_module(), and redirects /proc/modules and /sys/module/* to the "
                    + "mount's views and /proc/cmdline to an empty file. The module calls never reach the real "
                    + "kernel: without a mount they fail with EPERM. A finit_module of a file that is not on the "
                    + "mount fails with EBADF.",
            "",
            "COMMAND gets DENYFS_MOUNT=MNT and LD_PRELOAD (prepended to any LD_PRELOAD it had). The library can "
                    + "also be preloaded by hand the same way; it is built into target/native/ by the build."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"COMMAND's status:as it exits", "127:COMMAND is not found",
            "1:MNT is not a denyfs mount, or the library is missing", "2:bad usage"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"Debian's modprobe, loading into the mount /mnt/m (a module tree):", "",
            "  denyfs exec --mount /mnt/m -- modprobe -C /dev/null -d /mnt/m \\",
            "      -S \"$(ls /mnt/m/lib/modules)\" aesni_intel",
            "  DENYFS_MOUNT=/mnt/m denyfs exec -- lsmod"})
final class ExecCommand implements Callable<Integer> {
    static final String LIBRARY = "libdenyfs-preload.so";

    @Option(names = "--mount", paramLabel = "MNT", description = "The denyfs mount (default: $DENYFS_MOUNT).")
    Path mount;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        Path mnt = mount != null ? mount : envMount();
        if (mnt == null) {
            System.err.println("denyfs exec: no mount: give --mount MNT or set DENYFS_MOUNT");
            return 1;
        }
        mnt = mnt.toAbsolutePath().normalize();
        if (!MountTable.isMounted(mnt)) {
            System.err.println("denyfs exec: " + mnt + ": not a denyfs mount");
            return 1;
        }
        Path library = library();
        if (!Files.isRegularFile(library)) {
            System.err.println("denyfs exec: " + library + ": No such file or directory (build it with 'mvn package')");
            return 1;
        }
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = pb.environment();
        env.put("DENYFS_MOUNT", mnt.toString());
        String old = env.get("LD_PRELOAD");
        env.put("LD_PRELOAD", old == null || old.isEmpty() ? library.toString() : library + ":" + old);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            System.err.println("denyfs exec: " + command.get(0) + ": command not found");
            return 127;
        }
        Thread stop = new Thread(child::destroy, "denyfs-exec-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int status = child.waitFor();
        Runtime.getRuntime().removeShutdownHook(stop);
        return status;
    }

    private static Path envMount() {
        String env = System.getenv("DENYFS_MOUNT");
        return env == null || env.isEmpty() ? null : Path.of(env);
    }

    /** $DENYFS_PRELOAD, else native/libdenyfs-preload.so beside the jar (both live in target/). */
    static Path library() {
        String env = System.getenv("DENYFS_PRELOAD");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        return org.denyfs.abi.NativeDir.locate().resolve(LIBRARY);
    }
}

package org.denyfs.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.denyfs.fs.Mount;
import org.denyfs.fs.MountOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mount", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Mount a write-deny-enforcing passthrough of BACKING on MOUNTPOINT.",
            "",
            "Every file operation passes through to BACKING. On top, each backing inode (st_dev, st_ino; all hard "
                    + "links share it) keeps a signed write count with the rules of Linux's i_writecount: "
                    + "opening for write while the file is denied, and denying (or executing) while it is open "
                    + "for write, fail with ETXTBSY ('Text file busy').",
            "",
            "Without -f the command returns once the mount is ready and the daemon keeps serving in the "
                    + "background (its own session; logs go to log=FILE, else nowhere). With -f it serves in the "
                    + "foreground, logging to stderr, until Ctrl-C, SIGTERM or 'denyfs umount'. SIGTERM, SIGINT "
                    + "and SIGHUP unmount; while files on the mount are open it is detached lazily (the mount point "
                    + "is free at once) and the daemon serves them until they are closed, then exits. A second "
                    + "signal aborts those files ('Transport endpoint is not connected') and exits at once.",
            "",
            "MOUNTPOINT/.denyfs/control is the control file (see README.md: query, deny, xdeny, allow). As root the "
                    + "mount uses allow_other,default_permissions, so the kernel checks every user's permissions "
                    + "against the backing modes.",
            "",
            "Mount options (-o, comma separated, repeatable):",
            "  debug              log every FUSE request (libfuse -d) and denyfs decisions",
            "  log=FILE           append the daemon's log to FILE",
            "  policy=POLICY      module-load policy: plain, exclusive or idempotent (default idempotent)",
            "  kernel=RELEASE     emulated kernel release for module loading (default: the single",
            "                     lib/modules/* under BACKING, else uname -r)",
            "  attr_timeout=SECS  how long the kernel may cache attributes (default 1). Changes made",
            "                     through the mount are seen at once, hard links included (their",
            "                     attributes are never cached); 0 also shows changes made in BACKING",
            "                     behind the mount's back at once, at a GETATTR per path component",
            "                     per open. entry_timeout=, negative_timeout= likewise for names",
            "                     (libfuse default 1)",
            "  ro, noexec, nosuid, nodev, noatime   passed to the kernel as for any mount",
            "",
            "Exit status: 0 mounted (or, with -f, cleanly unmounted); 1 the mount failed; 2 bad usage."},
        footer = {"", "Examples:", "  denyfs mount /srv/files /mnt/denyfs",
            "  denyfs mount -f -o debug,policy=exclusive /srv/modules /mnt/m"})
final class MountCommand implements Callable<Integer> {
    @Option(names = {"-f", "--foreground"}, description = "Serve in the foreground until unmounted.")
    boolean foreground;

    @Option(names = "-o", paramLabel = "OPTIONS", description = "Mount options, comma separated (see above).")
    List<String> options = new ArrayList<>();

    @Option(names = "--notify-stdout", hidden = true,
            description = "Internal: print 'ready' or 'error MESSAGE' on stdout once, for the background parent.")
    boolean notifyStdout;

    @Parameters(index = "0", paramLabel = "BACKING", description = "The directory whose files are served.")
    Path backing;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An empty directory to mount on.")
    Path mountPoint;

    @Override
    public Integer call() throws Exception {
        MountOptions parsed;
        try {
            parsed = MountOptions.parse(options);
        } catch (IllegalArgumentException e) {
            System.err.println("denyfs mount: " + e.getMessage());
            return 2;
        }
        if (!foreground) {
            return Background.mount(backing, mountPoint, options);
        }
        Logging.configure(parsed.debug() ? Level.DEBUG : Level.INFO, parsed.logFile());
        PrintStream notify = notifyStdout ? System.out : null;
        Mount mount;
        try {
            mount = Mount.start(backing, mountPoint, parsed);
        } catch (IOException e) {
            if (notify != null) {
                notify.println("error " + e.getMessage());
                notify.flush();
            }
            System.err.println("denyfs mount: " + e.getMessage());
            return 1;
        }
        if (notify != null) {
            notify.println("ready " + ProcessHandle.current().pid());
            notify.flush();
        }
        DaemonSignals.install(mount);
        mount.awaitUnmounted();
        Logging.stop();
        return 0;
    }
}

package org.denyfs.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.denyfs.kernel.Mount;
import org.denyfs.kernel.MountOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "mount", usageHelpWidth = HelpLayout.WIDTH,
        description = {
            "Mount a write-deny-enforcing passthrough of BACKING on MOUNTPOINT.",
            "",
            "Every file operation passes through to BACKING. On top, each backing inode (st_dev, st_ino; all hard "
                    + "links share it) keeps a signed write count with the rules of Linux's i_writecount: opening for "
                    + "write while the file is denied, and denying (or executing) while it is open for write, fail "
                    + "with ETXTBSY ('Text file busy'). MOUNTPOINT/.denyfs/control is the control file (query, deny, "
                    + "xdeny, allow; see denyfs-ctl(1)).",
            "",
            "Without -f the command returns once the mount is ready, and the daemon serves in the background in "
                    + "its own session, logging to log=FILE or nowhere. With -f it serves in the foreground, logging "
                    + "to stderr, until it is unmounted ('denyfs umount', umount(8)) or signalled.",
            "",
            "SIGTERM, SIGINT and SIGHUP unmount. If files on the mount are still open, it is detached lazily: the "
                    + "mount point is free at once, the daemon serves the open files until they are closed, then "
                    + "exits. A second signal aborts those files ('Transport endpoint is not connected') and exits "
                    + "at once. The log says which happened.",
            "",
            "As root the mount uses allow_other and default_permissions: every user may use it, and the kernel "
                    + "checks their permissions against the backing modes. /proc/mounts shows BACKING as the source, "
                    + "and the type is fuse.denyfs: once 'denyfs install' has put the helper in place, mount(8) and "
                    + "/etc/fstab mount it too (see the examples)."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {
            "0:mounted (with -f: served until unmounted)",
            "1:the mount failed; the message names the file and the reason",
            "2:bad usage, an unknown mount option included"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {
            "  denyfs mount /srv/files /mnt/denyfs",
            "  denyfs mount -f -o debug,policy=exclusive /srv/modules /mnt/m",
            "  mount -t fuse.denyfs /srv/files /mnt/denyfs -o policy=plain",
            "",
            "An /etc/fstab line (noauto: mount it with 'mount /mnt/denyfs'):",
            "",
            "  /srv/files  /mnt/denyfs  fuse.denyfs  noauto,policy=idempotent  0 0"})
final class MountCommand implements Callable<Integer> {
    @Option(names = {"-f", "--foreground"}, description = "Serve in the foreground until unmounted.")
    boolean foreground;

    @Option(names = "-o", paramLabel = "OPTIONS",
            description = {
                "Mount options, comma separated; -o may be given more than once. denyfs's own:",
                "debug: log every FUSE request (libfuse -d) and denyfs's decisions.",
                "log=FILE: append the daemon's log to FILE (default: stderr with -f, else nowhere).",
                "log_level=LEVEL: as --log-level.",
                "policy=POLICY: how finit_module keeps concurrent loads of one module file apart (default: idempotent):"
                        + " plain (before May 2023: only the read denies writes; concurrent loads all read the file"
                        + " and meet in the duplicate check, EEXIST), exclusive (commit 9828ed3f69: an exclusive"
                        + " deny around the whole load, module init included; a concurrent load gets ETXTBSY at"
                        + " once), exclusive-read (the seed's second kernel: the exclusive deny around the file read"
                        + " only; a concurrent reader gets ETXTBSY, a load that starts after the read is over reads"
                        + " again and fails later with EEXIST) or idempotent (v6.5: concurrent loads of one file wait"
                        + " for the first and share its result).",
                "kernel=RELEASE: the emulated kernel release for module loading (default: the single "
                        + "lib/modules/* under BACKING, else uname -r).",
                "init_ms=MS: how long each emulated module init takes (default: 10; longer makes concurrent loads "
                        + "overlap).",
                "symbol_wait_ms=MS: how long a module load waits for a module still in its init that exports a "
                        + "symbol it needs, before it gives up with EBUSY (resolve_symbol_wait(); default: 30000, "
                        + "the kernel's 30 s).",
                "module_compression=xz|zstd|gzip|none: the one format the emulated kernel decompresses for "
                        + "finit_module's MODULE_INIT_COMPRESSED_FILE, as CONFIG_MODULE_COMPRESS_* chooses it, and "
                        + "named in the mount's view of /sys/module/compression (default: xz); a file of another "
                        + "format is EINVAL. "
                        + "none is a kernel without MODULE_DECOMPRESS: the flag gives EOPNOTSUPP and the file is absent.",
                "cache=relaxed|exact: relaxed (the default) lets the kernel keep names and attributes for a "
                        + "second and a file's pages across opens while its size and mtime stay the same; changes "
                        + "made through the mount are seen at once, hard links included, but one made in BACKING "
                        + "behind the mount's back may show a second late. exact keeps nothing of BACKING: such a "
                        + "change is seen by the next operation, for a round trip per path component.",
                "passthrough=auto|on|off: kernel FUSE passthrough (Linux 6.9+ with CONFIG_FUSE_PASSTHROUGH): the "
                        + "kernel reads, writes and maps an open backing file itself, at native speed, and the daemon "
                        + "still sees every open, close and truncate, so write counts stay exact. Its data is then "
                        + "cached in BACKING's page cache only, so a change made in BACKING behind the mount is read "
                        + "at once, whatever cache= says. auto uses it where the kernel, the daemon's "
                        + "CAP_SYS_ADMIN and the reply filter allow, and serves I/O itself otherwise; on refuses to "
                        + "mount, naming the reason, where it cannot; off never asks. Default: auto. A shared mapping "
                        + "that may write keeps a file open for write from its close(2) to munmap, as in the "
                        + "kernel: the daemon looks for such mappings in /proc before it refuses or grants a deny "
                        + "on a file opened read-write. 'denyfs status' says whether it is on, and why not.",
                "backing_ids_parked=N: with passthrough, how many backing ids (the kernel's handle on a backing "
                        + "file) are kept after their file's last close, so that its next open needs no ioctl to make "
                        + "one (default: 8192; 0 keeps none; at most 65536). Each keeps its backing file open in the kernel, about "
                        + "1.5 KB of memory that cannot be reclaimed while it is kept; the least recently closed goes "
                        + "first, and one goes at once when its file is removed through the mount.",
                "attr_timeout=SECS, entry_timeout=SECS, negative_timeout=SECS: override one of those cache "
                        + "timeouts.",
                "max_module_bytes=N: the largest module image the emulated kernel takes (default: 256M); a bigger "
                        + "file is EFBIG for finit, a bigger init LEN is ENOMEM.",
                "max_inflight_bytes=N: module image bytes held at once, all callers together (default: 1G); "
                        + "past it, ENOMEM. max_inflight_bytes_per_uid=N: the same per caller uid (default: 768M). "
                        + "N in bytes, or with a K, M or G suffix.",
                "exclusive_read=GLOB[:GLOB...]: every read-only open of a file whose path below the mount "
                        + "matches a GLOB takes exclusive_deny_write_access until that open is released, so a "
                        + "second reader of the file (through any hard link, named by a GLOB or not), or a writer, gets "
                        + "ETXTBSY (Text file busy), as finit_module's readers did under kernel commit 9828ed3f69. GLOB as Java's glob syntax, without a leading "
                        + "/: * and ? stay in one directory, ** crosses them (lib/modules/**.ko). Repeatable.",
                "fsname=NAME: the source column of /proc/mounts (default: BACKING).",
                "Passed to the kernel as for any mount: ro, rw, suid, nosuid, dev, nodev, exec, noexec, atime, "
                        + "noatime, sync, async, dirsync; and FUSE's allow_other, default_permissions, nonempty "
                        + "(mount over a directory that is not empty).",
                "Ignored, as mount.fuse(8) ignores them (they are for fstab, systemd and mount itself): defaults, "
                        + "auto, noauto, user, nouser, users, owner, group, _netdev, nofail, relatime, x-*, comment=.",
                "Anything else is refused, so that a typo never mounts what was not asked for."})
    List<String> options = new ArrayList<>();

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "How much the daemon logs: error, warn, info (the default: one line per mount and "
                    + "unmount, and errors with the path and errno), debug (every decision) or trace.")
    String logLevel;

    @Option(names = "--notify-stdout", hidden = true,
            description = "Internal: print 'ready' or 'error MESSAGE' on stdout once, for the background parent.")
    boolean notifyStdout;

    @Parameters(index = "0", paramLabel = "BACKING", description = "The directory whose files are served.")
    Path backing;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An empty directory to mount on.")
    Path mountPoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        MountOptions parsed;
        Level level;
        try {
            parsed = MountOptions.parse(options);
            level = LogLevels.parse(logLevel != null ? logLevel : parsed.logLevel(), parsed.debug());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!foreground) {
            return Background.mount(backing, mountPoint, options, logLevel);
        }
        Logging.configure(level, parsed.logFile());
        PrintStream notify = notifyStdout ? System.out : null;
        Mount mount;
        try {
            mount = Mount.start(backing, mountPoint, parsed);
        } catch (IOException e) {
            String why = e.getMessage() + (notify != null && e instanceof Mount.LibfuseFailed
                    ? " (run 'denyfs mount -f' to see libfuse's own message)" : "");
            if (notify != null) {
                notify.println("error " + why);
                notify.flush();
            }
            System.err.println("denyfs mount: " + why);
            Logging.stop();
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

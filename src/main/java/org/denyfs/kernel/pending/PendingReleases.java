package org.denyfs.kernel.pending;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.denyfs.abi.Abi;
import org.denyfs.core.Hold;
import org.denyfs.core.HoldKind;
import org.denyfs.core.Inode;
import org.denyfs.core.StaleHolders;
import org.denyfs.kernel.natives.Libc;

/**
 * The release-lag rule: makes "close the writer, then deny" succeed every time despite FUSE's
 * asynchronous RELEASE. core.Inodes asks it (as its {@link StaleHolders}) before a refusal stands;
 * it sits in a package of its own, below every caller of core, so that a refused open, deny or
 * module load never calls back into a package it came through.
 *
 * <p>The kernel queues RELEASE when the last reference to an open file goes, before close(2) or
 * exit(2) returns to user space, but the daemon may still be on its way to handling it when the
 * next request (the deny) arrives on another thread. So before a refusal is reported, we look at
 * what user space really still holds: every fd in /proc/PID/fdinfo that is open on this mount
 * (mnt_id) and this inode (ino; the mount uses use_ino, so that is the backing inode number) with
 * write access (any access, for a deny taken by ioctl on such an fd), every process whose
 * executable is this inode (/proc/PID/maps), every open handle of the control file. If none of the blocking holders can still be alive, their releases are in
 * flight and we wait for the count to move (bounded, in case the evidence was wrong). If any may
 * be alive, the refusal stands at once, as in the kernel. A wrong guess can only delay an answer,
 * never change it: the caller retries the count's own compare-and-swap after the wait.
 *
 * <p>Cost: a scan of /proc, only on the refusal path and only when handle-based holders block.
 */
public final class PendingReleases implements StaleHolders {
    private static final org.apache.logging.log4j.Logger LOG = org.apache.logging.log4j.LogManager.getLogger(PendingReleases.class);
    /** Upper bound on waiting for a release we believe is in flight. */
    static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String mountPoint;
    private volatile int mountId = -1;
    /** Null until {@link #alsoWatch}: the mount has no kernel passthrough to look after. */
    private volatile WritableMappings mappings;

    public PendingReleases(Path mountPoint) {
        this.mountPoint = mountPoint.toAbsolutePath().normalize().toString();
    }

    /**
     * Also judges the write holds that outlive a passed-through file's close while a mapping may
     * write ({@link WritableMappings}). Given after construction because those go back to the very
     * Inodes table that asks this object.
     */
    public void alsoWatch(WritableMappings mappings) {
        this.mappings = mappings;
    }

    @Override
    public boolean awaitRelease(Inode inode, HoldKind refused) throws InterruptedException {
        long generation = inode.writes().generation(); // before anything is judged: no poke is missed
        int seen = inode.writes().value();
        if (!StaleHolders.blocks(seen, refused)) {
            return true; // a release landed since the refusal: try again
        }
        List<Hold> blockers = blockers(inode, refused);
        WritableMappings m = mappings;
        if (m != null && m.keepsAny(blockers)) {
            // A closed read-write file that passed through: its write access lasts as long as a mapping.
            m.sweep();
            if (!StaleHolders.blocks(inode.writes().value(), refused)) {
                return true;
            }
            blockers = blockers(inode, refused);
            if (m.keepsAny(blockers)) {
                LOG.debug("{}: a shared mapping may still write: refusing", inode.key());
                return false;
            }
        }
        if (blockers.isEmpty()) {
            // Nothing listed: either the blockers let go while we looked, or they are not ours to judge.
            boolean released = !StaleHolders.blocks(inode.writes().value(), refused);
            LOG.debug("{}: count {} with no listed blocker: {}", inode.key(), seen, released ? "released meanwhile" : "refusing");
            return released;
        }
        if (anyAlive(inode, blockers)) {
            LOG.debug("{}: a blocker is still held in user space: refusing", inode.key());
            return false;
        }
        LOG.debug("{}: no process holds the blockers; waiting for their release", inode.key());
        long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (true) {
            int now = inode.writes().awaitChange(seen, m == null ? -1 : generation, deadline);
            if (!StaleHolders.blocks(now, refused)) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false; // the evidence was wrong, or a release is very late: the refusal stands
            }
            // Woken while the count still blocks: one of several releases landed, or one kept its write
            // access for a mapping (WritableMappings poked). Judge what is left, as at the start.
            generation = inode.writes().generation();
            seen = inode.writes().value();
            blockers = blockers(inode, refused);
            if (m != null && m.keepsAny(blockers)) {
                m.sweep();
                if (!StaleHolders.blocks(inode.writes().value(), refused)) {
                    return true;
                }
                seen = inode.writes().value();
                blockers = blockers(inode, refused);
                if (m.keepsAny(blockers)) {
                    return false; // a shared mapping may still write
                }
            }
            if (blockers.isEmpty()) {
                return !StaleHolders.blocks(inode.writes().value(), refused);
            }
            if (anyAlive(inode, blockers)) {
                return false;
            }
        }
    }

    private static List<Hold> blockers(Inode inode, HoldKind refused) {
        return inode.holds().stream().filter(h -> StaleHolders.isBlocker(h.kind(), refused)).toList();
    }

    private boolean anyAlive(Inode inode, List<Hold> blockers) {
        long ino = inode.key().ino();
        Wanted wanted = new Wanted();
        for (Hold h : blockers) {
            switch (h.kind()) {
                case WRITE -> wanted.writers = true;
                case EXEC -> wanted.exec = true;
                case DENY, EXCLUSIVE_DENY -> {
                    if (h.onFile()) {
                        wanted.anyFd = true; // an ioctl deny lives as long as its open file
                    } else {
                        wanted.control = true;
                    }
                }
                case MODULE, MODULE_EXCLUSIVE -> {
                    return true; // held by the daemon itself for the length of a load
                }
            }
        }
        return scan(ino, wanted);
    }

    /** What to look for in /proc: which kinds of user-space reference would keep a blocker alive. */
    private static final class Wanted {
        boolean writers;
        boolean anyFd;
        boolean exec;
        boolean control;

        boolean fds() {
            return writers || anyFd || control;
        }
    }

    /** One pass over /proc: true as soon as any process may still hold one of the kinds asked. */
    private boolean scan(long ino, Wanted wanted) {
        String prefix = mountPoint + "/";
        String controlPath = mountPoint + "/" + Abi.CONTROL_PATH;
        try (DirectoryStream<Path> procs = Proc.processes()) {
            for (Path proc : procs) {
                if (wanted.exec && runsFrom(proc, prefix, ino)) {
                    return true;
                }
                if (wanted.fds() && holdsFd(proc, prefix, controlPath, ino, wanted)) {
                    return true;
                }
            }
        } catch (IOException e) {
            return true; // no evidence: refuse as the kernel would
        }
        return false;
    }

    private boolean holdsFd(Path proc, String prefix, String controlPath, long ino, Wanted wanted) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue;
                }
                if (!target.startsWith(prefix)) {
                    continue;
                }
                if (wanted.control && target.equals(controlPath)) {
                    return true;
                }
                if ((wanted.writers || wanted.anyFd)
                        && isOpenOn(proc.resolve("fdinfo").resolve(fd.getFileName()), ino, wanted.anyFd)) {
                    return true;
                }
            }
        } catch (IOException processGone) {
            return false;
        }
        return false;
    }

    /** True if the fd is open on this mount and inode, with write access unless {@code anyMode}. */
    private boolean isOpenOn(Path fdinfo, long ino, boolean anyMode) {
        try {
            long flags = -1;
            long mnt = -1;
            long fileIno = -1;
            for (String line : Files.readAllLines(fdinfo)) {
                if (line.startsWith("flags:")) {
                    flags = Long.parseLong(line.substring(6).trim(), 8);
                } else if (line.startsWith("mnt_id:")) {
                    mnt = Long.parseLong(line.substring(7).trim());
                } else if (line.startsWith("ino:")) {
                    fileIno = Long.parseLong(line.substring(4).trim());
                }
            }
            return fileIno == ino && mnt == mountId() && (anyMode || (flags & Libc.O_ACCMODE) != Libc.O_RDONLY);
        } catch (IOException | NumberFormatException gone) {
            return false;
        }
    }

    /** A process running a program from this mount: its exe link and the inode of that mapping. */
    private static boolean runsFrom(Path proc, String prefix, long ino) {
        String exe;
        try {
            exe = Files.readSymbolicLink(proc.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException kernelThreadOrGone) {
            return false;
        }
        if (!exe.startsWith(prefix)) {
            return false;
        }
        // ISO-8859-1: names are bytes, and a strict UTF-8 decoder would stop at the first that is not UTF-8
        try (var lines = Files.lines(proc.resolve("maps"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            String exeBytes = Proc.asInMaps(exe);
            return lines.map(Mapping::parse)
                    .anyMatch(m -> m != null && m.ino() == ino && m.path().equals(exeBytes));
        } catch (IOException | java.io.UncheckedIOException gone) {
            return false;
        }
    }

    private int mountId() {
        int id = mountId;
        if (id < 0) {
            id = findMountId();
            mountId = id;
        }
        return id;
    }

    private int findMountId() {
        try {
            String[] f = Proc.mountInfo(mountPoint);
            return f == null ? -1 : Integer.parseInt(f[0]);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}

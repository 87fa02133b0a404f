package org.denyfs.kernel.pending;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Hold;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;

/**
 * Write access that outlives the last close(2) of a file opened read-write with kernel passthrough,
 * because a shared mapping of it may still write.
 *
 * <p>Why: in the kernel a mapping holds the open file, and an open file with write access holds the
 * inode's i_writecount, so {@code mmap(MAP_SHARED)} of a file opened O_RDWR keeps it "open for
 * write" until munmap; exec and deny_write_access say ETXTBSY until then. Without passthrough the
 * mapping holds the FUSE file and its RELEASE waits for the munmap, so the daemon's count is exact.
 * With passthrough the kernel puts its own backing file into the mapping instead, and the FUSE file's
 * RELEASE arrives at the close, while the mapping can still write. So such a RELEASE does not give
 * the write access back: the hold is {@link #keep kept} here, and stays in the count until /proc shows
 * that no process maps the inode shared and writable (or may make its shared mapping writable:
 * VM_MAYWRITE, which only a read-write open grants).
 *
 * <p>When we look: whenever a kept hold blocks a request (PendingReleases asks {@link #sweep} before a
 * refusal stands, so "munmap, then deny" succeeds and "deny while mapped" is refused, deterministically)
 * or a count is read ({@link #settle}); and, so that a file closed without a mapping does not stay
 * counted for whoever reads the views, by one pass shortly after a keep, on a thread that exists
 * only while passes are due (1 s after a keep, growing to 10 s while passes find every kept file
 * still mapped, so neither a stream of read-write closes nor a long-lived mapping makes /proc be
 * read over and over; the answers users see come from the looks on demand). Only opens that can map for
 * writing are kept: a read-only or write-only open cannot (mmap needs read access, and a shared
 * writable mapping write access), so the cost falls on read-write opens that passed through.
 *
 * <p>What /proc shows: a mapping of a passed-through file carries the FUSE mount's device and the FUSE
 * inode number (the mount uses use_ino: the backing inode's), older kernels the backing device; both
 * are accepted. Limits, said in the README: a private mapping of a file opened read-write holds the
 * kernel's count too but can never write the file, and is not looked for; a process forked while a
 * pass is under way and whose parent unmaps before the pass reads it can be missed.
 */
public final class WritableMappings {
    private static final Logger LOG = LogManager.getLogger(WritableMappings.class);
    /** The first delay of a pass after a keep; it doubles, to {@link #MAX_DELAY_MILLIS}, while passes release nothing. */
    static final long FIRST_DELAY_MILLIS = 1_000;
    static final long MAX_DELAY_MILLIS = 10_000;

    private final String mountPoint;
    private final String mountPointInMaps;
    private final Inodes inodes;
    private final Set<Hold> kept = ConcurrentHashMap.newKeySet();
    /** The FUSE mount's device as /proc/PID/maps prints it ("00:28"), found at the first pass. */
    private volatile String mountDevice;
    private final java.util.concurrent.ScheduledThreadPoolExecutor later;
    private final java.util.concurrent.atomic.AtomicBoolean passDue = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long delayMillis = FIRST_DELAY_MILLIS;

    /**
     * @param mountPoint where the mount is (its device is looked up in /proc/self/mountinfo)
     * @param inodes where a kept hold goes back when its last mapping is gone
     */
    public WritableMappings(Path mountPoint, Inodes inodes) {
        this.mountPoint = mountPoint.toAbsolutePath().normalize().toString();
        this.mountPointInMaps = Proc.asInMaps(this.mountPoint);
        this.inodes = inodes;
        this.later = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "denyfs-mappings");
            t.setDaemon(true);
            return t;
        });
        later.setKeepAliveTime(1, java.util.concurrent.TimeUnit.SECONDS);
        later.allowCoreThreadTimeOut(true);
        later.setRemoveOnCancelPolicy(true);
    }

    /**
     * At the RELEASE of a read-write open that passed through: its write hold stays counted until no
     * mapping of the inode may write.
     */
    public void keep(Hold writeHold) {
        kept.add(writeHold);
        writeHold.inode().writes().poke(); // a refusal waiting for this RELEASE judges the kept hold now
        if (passDue.compareAndSet(false, true)) {
            try {
                later.schedule(this::scheduledPass, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // the mount has ended (close): its counts went with it
            }
        }
    }

    private void scheduledPass() {
        passDue.set(false);
        int released = sweep();
        delayMillis = released > 0 ? FIRST_DELAY_MILLIS : Math.min(MAX_DELAY_MILLIS, 2 * delayMillis);
        if (!kept.isEmpty() && passDue.compareAndSet(false, true)) {
            try {
                later.schedule(this::scheduledPass, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // the mount has ended meanwhile
            }
        }
    }

    /** Before {@code key}'s count is read: a kept hold on it is looked at now. */
    public void settle(InodeKey key) {
        for (Hold h : kept) {
            if (h.inode().key().equals(key)) {
                sweep();
                return;
            }
        }
    }

    /** Before every count is read (the whole table): the kept holds are looked at now. */
    public void settleAll() {
        sweep();
    }

    /** True if one of {@code holds} is kept here (its open file is closed; a mapping may hold it). */
    public boolean keepsAny(Collection<Hold> holds) {
        if (kept.isEmpty()) {
            return false;
        }
        for (Hold h : holds) {
            if (kept.contains(h)) {
                return true;
            }
        }
        return false;
    }

    /** How many holds are kept now (status figure). */
    public int size() {
        return kept.size();
    }

    /**
     * One pass over /proc: every kept hold whose inode no process maps shared and writable goes back
     * to its inode's count.
     *
     * @return how many went back
     */
    public synchronized int sweep() {
        if (kept.isEmpty()) {
            return 0;
        }
        Set<Long> inos = new HashSet<>();
        for (Hold h : kept) {
            inos.add(h.inode().key().ino());
        }
        Set<InodeKey> mapped = scan(inos);
        int released = 0;
        for (Hold h : List.copyOf(kept)) {
            InodeKey key = h.inode().key();
            if (mapped == null || mapped.contains(key)) {
                continue; // mapped (or /proc unreadable: no evidence, so the write access stands)
            }
            if (kept.remove(h)) {
                inodes.release(h);
                released++;
            }
        }
        LOG.debug("writable mappings: {} write holds went back, {} still mapped", released, kept.size());
        return released;
    }

    /**
     * The kept inodes some process maps shared and may write, or null when /proc could not be read.
     * Matched by inode number first (cheap), then by device: the mount's, or the backing file's own.
     */
    private Set<InodeKey> scan(Set<Long> inos) {
        String device = mountDevice();
        Set<InodeKey> mapped = new HashSet<>();
        try (DirectoryStream<Path> procs = Proc.processes()) {
            for (Path proc : procs) {
                scanProcess(proc, inos, device, mapped);
            }
        } catch (IOException e) {
            LOG.warn("writable mappings: cannot list /proc ({}); closed read-write files keep their write access", e.toString());
            return null;
        }
        return mapped;
    }

    /**
     * One process's maps. Read as ISO-8859-1: a file name is bytes, and a strict UTF-8 decoder would
     * stop at the first name that is not UTF-8 and miss the mappings after it.
     */
    private void scanProcess(Path proc, Set<Long> inos, String device, Set<InodeKey> mapped) {
        Set<String> mayWrite = null; // smaps's answer, read at most once per process and pass
        try (BufferedReader maps = Files.newBufferedReader(proc.resolve("maps"), StandardCharsets.ISO_8859_1)) {
            for (String line = maps.readLine(); line != null; line = maps.readLine()) {
                Mapping m = Mapping.parse(line);
                if (m == null || !m.shared() || !inos.contains(m.ino())) {
                    continue;
                }
                for (Hold h : kept) {
                    InodeKey key = h.inode().key();
                    if (key.ino() != m.ino() || !ours(m, key, device)) {
                        continue;
                    }
                    if (!m.writable() && mayWrite == null) {
                        mayWrite = mayWriteRanges(proc);
                    }
                    if (m.writable() || mayWrite.contains(m.range())) {
                        mapped.add(key);
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException gone) {
            // the process exited while we looked: its mappings went with it
        }
    }

    /**
     * A mapping of the mount's file: the FUSE mount's device (what Linux prints for a passed-through
     * file), or, for kernels that print the backing file's own, that device with a path under the
     * mount point (a process mapping the BACKING file directly is none of the mount's business).
     */
    private boolean ours(Mapping m, InodeKey key, String device) {
        return m.device().equals(device)
                || m.device().equals(Mapping.device(key.dev())) && m.path().startsWith(mountPointInMaps + "/");
    }

    /** The shared read-only mappings of a process that mprotect may make writable: VmFlags "mw" (VM_MAYWRITE). */
    private static Set<String> mayWriteRanges(Path proc) {
        Set<String> ranges = new HashSet<>();
        try (BufferedReader smaps = Files.newBufferedReader(proc.resolve("smaps"), StandardCharsets.ISO_8859_1)) {
            String range = null;
            for (String line = smaps.readLine(); line != null; line = smaps.readLine()) {
                Mapping header = Mapping.parse(line);
                if (header != null) {
                    range = header.range();
                } else if (range != null && line.startsWith("VmFlags:")
                        && (" " + line.substring("VmFlags:".length()).trim() + " ").contains(" mw ")) {
                    ranges.add(range);
                }
            }
        } catch (IOException | java.io.UncheckedIOException gone) {
            // the process exited: its mappings went with it
        }
        return ranges;
    }

    /** The mount's device, from the kernel's own number of it (major << 20 | minor), once the mount is up. */
    public void mountDevice(long kernelDev) {
        mountDevice = Mapping.device(kernelDev >>> 20, kernelDev & 0xfffffL);
    }

    /** At the end of the mount: no pass is due any more, and the kept holds die with the counts. */
    public void close() {
        later.shutdownNow();
        kept.clear();
    }

    private String mountDevice() {
        String d = mountDevice;
        if (d == null) {
            d = findMountDevice(); // before start() told it: not kept, so a miss is not for good
            if (!d.equals("?")) {
                mountDevice = d;
            }
        }
        return d;
    }

    private String findMountDevice() {
        try {
            String[] f = Proc.mountInfo(mountPoint);
            if (f != null) {
                String[] mm = f[2].split(":");
                return Mapping.device(Long.parseLong(mm[0]), Long.parseLong(mm[1]));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("writable mappings: no device for {} in /proc/self/mountinfo ({})", mountPoint, e.toString());
        }
        return "?";
    }
}

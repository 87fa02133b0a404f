package org.denyfs.kernel.passthrough;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;
import org.denyfs.kernel.natives.FuseInHeader;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.ReplyFilter;

/**
 * Kernel FUSE passthrough (Linux 6.9+): the backing ids this mount holds, one per backing inode
 * open through it, and whether opens pass through at all.
 *
 * <p>Why one id per backing inode, shared by all its opens and closed at the last RELEASE: the
 * kernel binds a FUSE inode to the backing file of its first passthrough open and refuses
 * (EBUSY, the open then fails with EIO) an open of the same FUSE inode with another id while any
 * passthrough file is open on it; and every open of a FUSE inode must then pass through. Keyed by
 * the backing inode (the descriptor's own fstat, as the write counts are), every hard link's FUSE
 * inode gets the same id, and a FUSE inode is never handed a file other than the one its path
 * opened. The kernel opens its own backing file from the id's path with each open's flags and
 * keeps it until that file's release, so the descriptor an id was made from may close earlier.
 * A refused id is remembered too, so concurrent opens of that inode all take today's path.
 *
 * <p>Why an id outlives its inode's last RELEASE: making one (FUSE_DEV_IOC_BACKING_OPEN) and
 * closing it again cost about as much as the rest of an open+close through the mount (measured:
 * 28-33 us a sequential open+close with passthrough against 13-21 us without, 21-28 us with the
 * id kept by another open). So the last release parks the id among the most recently released
 * ({@link org.denyfs.kernel.MountOptions#DEFAULT_BACKING_IDS_PARKED} unless
 * {@code -o backing_ids_parked=} says otherwise), and the inode's next open takes it back without
 * an ioctl. Why that many: a working set larger than the cap, opened in turn, finds none parked,
 * and each open and release pays both ioctls (bench io's 2000 files with 1024 parked: open+close
 * medians of 1.8x-2.0x bindfs's, 1.3x-1.6x with all parked); a parked id costs about 1.5 KB of
 * kernel memory. A parked id holds the backing file open, so one goes at once when its file is
 * gone: at a release of a file with no link left, at an UNLINK or a RENAME over its last name
 * ({@link #forgetIfLastLink}), and when it is the oldest parked one and one more than the cap is
 * parked.
 *
 * <p>Locks: one, this object's monitor, held only for the map (never across an ioctl); reads and writes
 * of passthrough files never reach the daemon.
 */
public final class BackingIds {
    private static final Logger LOG = LogManager.getLogger(BackingIds.class);
    private static final int INIT_WAIT_MILLIS = 30_000;
    private static final Libc LIBC = Libc.INSTANCE;
    /** How long an OPEN waits for the RELEASE of a node's old binding: PendingReleases' bound. */
    private static final long REBIND_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    /** {@link #attach}'s answer when passthrough is off: no share of an id was taken. */
    static final int NOT_ATTACHED = -1;

    /** Why opens do not pass through: a word for the status line, a sentence for people. */
    public enum Off {
        OPTION("passthrough=off was given"),
        NO_FILTER("the reply filter libdenyfs-fuse.so is not loaded"),
        NO_CAPABILITY("the daemon lacks CAP_SYS_ADMIN, which FUSE_DEV_IOC_BACKING_OPEN requires"),
        KERNEL("the kernel did not offer FUSE_PASSTHROUGH at INIT (it needs Linux 6.9 or later built with"
                + " CONFIG_FUSE_PASSTHROUGH)"),
        REFUSED("the kernel refused a backing id on this connection"),
        NO_INIT("the kernel's INIT did not complete");

        private final String sentence;

        Off(String sentence) {
            this.sentence = sentence;
        }

        public String sentence() {
            return sentence;
        }

        /** The status line's word: no_capability, kernel, ... */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final class Entry {
        /** The backing id, or 0 when the kernel refused one (then this inode's opens do not pass through). */
        final int id;
        int opens;

        Entry(int id) {
            this.id = id;
        }
    }

    /**
     * The FUSE nodes with passed-through opens, and their backing inode: the kernel has bound each
     * to that backing file until the last of those opens is released. Guarded by this.
     */
    private final Map<Long, Node> nodes = new HashMap<>();

    private static final class Node {
        final InodeKey key;
        int opens;

        Node(InodeKey key) {
            this.key = key;
        }
    }

    private final ReplyFilter filter;
    /** Guarded by this. */
    private final Map<InodeKey, Entry> ids = new HashMap<>();
    private final LongAdder passthroughOpens = new LongAdder();
    private final LongAdder refusals = new LongAdder();
    /** FUSE_DEV_IOC_BACKING_OPENs that gave an id: an open that found its inode's id parked made none. */
    private final LongAdder made = new LongAdder();
    /** The st_dev of every backing file system a refusal was logged for. */
    private final java.util.Set<Long> refusedDevices = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Parked ids, least recently released first. Guarded by this. */
    private final LinkedHashMap<InodeKey, Integer> idle = new LinkedHashMap<>();
    /** Read without the lock: whether an UNLINK must look for a parked id. */
    private volatile boolean anyIdle;
    /** Ids parked after their inode's last release, at most. */
    private final int parkMax;
    /** Null while INIT has not told yet (the filter asked for passthrough); written once, by decide(). */
    private volatile Off off;
    private volatile String offDetail = "";
    private volatile boolean decided;

    /**
     * @param filter the mount's reply filter, which asked the kernel for passthrough at INIT
     * @param off why opens will not pass through, or null to ask INIT
     * @param parkMax ids kept after their inode's last release, at most (0: none)
     */
    public BackingIds(ReplyFilter filter, Off off, int parkMax) {
        this.filter = filter;
        this.off = off;
        this.parkMax = parkMax;
        this.decided = off != null;
    }

    /** Waits (up to 30 s) for INIT's answer, once; then says whether opens pass through. */
    public boolean on() {
        if (!decided) {
            decide();
        }
        return off == null;
    }

    private synchronized void decide() {
        if (decided) {
            return;
        }
        int state = filter.passthroughState(INIT_WAIT_MILLIS);
        if (state == ReplyFilter.PASSTHROUGH_ON) {
            off = null;
        } else if (state == ReplyFilter.PASSTHROUGH_PENDING) {
            off = Off.NO_INIT;
        } else if (state < 0) {
            off = Off.REFUSED;
            offDetail = errnoName(-state);
        } else {
            off = state == ReplyFilter.PASSTHROUGH_NOT_OFFERED ? Off.KERNEL : Off.OPTION;
        }
        decided = true;
    }

    /** Why opens do not pass through (null when they do), after {@link #on}. */
    public Off off() {
        on();
        return off;
    }

    /** For people: "on", or "off: the sentence". */
    public String describe() {
        if (on()) {
            return "on";
        }
        return "off: " + off.sentence() + (offDetail.isEmpty() ? "" : " (" + offDetail + ")");
    }

    /**
     * At an OPEN or CREATE of the backing file {@code fd} (inode {@code key}, opened with
     * {@code openFlags}): makes the reply being answered on this thread pass through, with this
     * inode's id.
     *
     * @param daemonPath the open should not pass through (its writes must reach the daemon): when the
     *     inode has no id yet it gets none, and its opens take the daemon's path until the last release
     *
     * @return the backing id (positive) when the open passes through, 0 when it takes the daemon's
     *     path because the kernel refused this inode an id (in both cases {@link #release} is owed at
     *     the handle's RELEASE), or {@link #NOT_ATTACHED} when passthrough is off (nothing is owed)
     */
    int attach(InodeKey key, int fd, int openFlags, boolean daemonPath) {
        if (!on()) {
            return NOT_ATTACHED;
        }
        long node = filter.opcode() == FuseInHeader.FUSE_OPEN ? filter.nodeid() : 0;
        refuseRebinding(node, key);
        int id = daemonPath ? claimDaemonPath(key) : share(key);
        if (id < 0) {
            // The inode's first open: the ioctl runs outside the lock, so opens and releases of other
            // inodes never wait for it; two first opens of one inode may both ask, and one id goes back.
            int res = backingOpen(fd, openFlags);
            if (res > 0) {
                made.increment();
            } else {
                refusals.increment();
                // once per backing file system: a refusal (a stacked file system, say) repeats for its every inode
                if (refusedDevices.add(key.dev())) {
                    LOG.warn("FUSE_DEV_IOC_BACKING_OPEN refused for inode {}: {}; opens of that file system's files take"
                            + " the daemon's path (said once per file system)", key, errnoName(-res));
                } else {
                    LOG.debug("FUSE_DEV_IOC_BACKING_OPEN refused for inode {}: {}", key, errnoName(-res));
                }
            }
            int spare;
            Integer parked = null;
            synchronized (this) {
                Entry e = ids.get(key);
                if (e == null) {
                    e = new Entry(Math.max(res, 0));
                    ids.put(key, e);
                    spare = 0;
                    // another open made, released and parked an id meanwhile: ours replaces it
                    parked = idle.remove(key);
                    anyIdle = !idle.isEmpty();
                } else {
                    spare = res;
                }
                e.opens++;
                id = e.id;
            }
            if (spare > 0) {
                filter.backingClose(spare);
            }
            if (parked != null) {
                close(parked, key);
            }
        }
        if (id > 0) {
            filter.passthrough(id);
            passthroughOpens.increment();
            bind(node, key);
        }
        return id;
    }

    /**
     * FUSE_DEV_IOC_BACKING_OPEN on a read-only descriptor of the file: the kernel keeps the file the
     * id is made from until the id is closed (parked ids too), and a writable one would hold the
     * backing inode's own write count up for all that time (BACKING's program could not be run, its
     * fs-verity not enabled). The kernel opens its own file for every open with that open's flags,
     * so the id's own mode does not matter. A descriptor open for writing (as its open's flags say:
     * the daemon opens BACKING with the access mode it was asked for) is reopened read-only through
     * /proc/self/fd (the daemon is root); if that fails the writable one is used.
     */
    private int backingOpen(int fd, int openFlags) {
        if ((openFlags & Libc.O_ACCMODE) == Libc.O_RDONLY) {
            return filter.backingOpen(fd);
        }
        int ro = LIBC.open("/proc/self/fd/" + fd,
                Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (ro < 0) {
            return filter.backingOpen(fd);
        }
        try {
            return filter.backingOpen(ro);
        } finally {
            LIBC.close(ro);
        }
    }

    /**
     * The kernel's rule that a FUSE inode bound to a backing file (while any passed-through open of
     * it lasts) takes no other: an OPEN of such a node whose path now names another backing inode
     * (the file was replaced in BACKING behind the mount) would fail with EIO in the kernel after our
     * reply. It fails here instead, with ESTALE and the reason. The kernel lets go of the binding at
     * the last close, before it sends the RELEASE: so a binding seen here may be one whose RELEASE is
     * still on its way (close, replace, reopen at once), and is waited for, up to the release-lag
     * rule's bound, before the open is refused.
     */
    private synchronized void refuseRebinding(long node, InodeKey key) {
        Node n = node == 0 ? null : nodes.get(node);
        long deadline = System.nanoTime() + REBIND_WAIT_NANOS;
        while (n != null && !n.key.equals(key)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            n = nodes.get(node);
        }
        if (n != null && !n.key.equals(key)) {
            throw new ErrnoException(Errno.ESTALE, "open: the file was replaced in BACKING behind the mount while an"
                    + " earlier open of it through the mount is still held (inode " + n.key + ", now " + key
                    + "); it opens again once that one is closed");
        }
    }

    private synchronized void bind(long node, InodeKey key) {
        if (node == 0) {
            return;
        }
        Node n = nodes.computeIfAbsent(node, k -> new Node(key));
        if (n.key.equals(key)) {
            n.opens++;
        }
    }

    /** At the RELEASE of an open that passed through an OPEN of FUSE node {@code node} (0: none). */
    synchronized void unbind(long node, InodeKey key) {
        Node n = node == 0 ? null : nodes.get(node);
        if (n != null && n.key.equals(key) && --n.opens <= 0) {
            nodes.remove(node);
            notifyAll(); // an OPEN waiting in refuseRebinding for this RELEASE
        }
    }

    /** The FUSE node of the OPEN being answered on this thread, for {@link #unbind} (0 for a CREATE). */
    long node() {
        return filter.opcode() == FuseInHeader.FUSE_OPEN ? filter.nodeid() : 0;
    }

    /**
     * An open that wants the daemon's path (it must see the WRITEs): when no open of the inode
     * passes through now, an entry with id 0, so its concurrent opens take that path too (a parked
     * id stays parked: the kernel's inode is bound to nothing); else the open files' id, since the
     * kernel then wants this open to pass through as well.
     */
    private synchronized int claimDaemonPath(InodeKey key) {
        Entry e = ids.computeIfAbsent(key, k -> new Entry(0));
        e.opens++;
        return e.id;
    }

    /** Another open of an inode that has an entry: its id (0: refused), or -1 when it has none yet. */
    private synchronized int share(InodeKey key) {
        Entry e = ids.get(key);
        if (e == null) {
            Integer parked = idle.remove(key);
            if (parked == null) {
                return -1;
            }
            anyIdle = !idle.isEmpty();
            e = new Entry(parked);
            ids.put(key, e);
        }
        e.opens++;
        return e.id;
    }

    /**
     * At the RELEASE of a handle whose {@link #attach} took a share: the last one parks the id, or
     * closes it (outside the lock) when the file has no link left ({@code stillLinked} false) or the
     * oldest parked one has to make room. The kernel has released every file it opened with the id
     * by then; a new open of the inode may already be making the next one.
     */
    void release(InodeKey key, boolean stillLinked) {
        int closing = 0;
        int replaced = 0;
        InodeKey closingKey = key;
        synchronized (this) {
            Entry e = ids.get(key);
            if (e == null || --e.opens > 0) {
                return;
            }
            ids.remove(key);
            if (!stillLinked) {
                // its file has no name left: nobody can open it again; nor one parked while this took the daemon's path
                closing = e.id;
                Integer parked = idle.remove(key);
                anyIdle = !idle.isEmpty();
                if (parked != null) {
                    if (closing > 0) {
                        replaced = parked;
                    } else {
                        closing = parked;
                    }
                }
            } else if (e.id > 0) {
                Integer previous = idle.put(key, e.id);
                if (previous != null && previous != e.id) {
                    replaced = previous;
                }
                if (idle.size() > parkMax) {
                    Iterator<Map.Entry<InodeKey, Integer>> oldest = idle.entrySet().iterator();
                    Map.Entry<InodeKey, Integer> o = oldest.next();
                    closingKey = o.getKey();
                    closing = o.getValue();
                    oldest.remove();
                }
                anyIdle = !idle.isEmpty();
            }
        }
        close(closing, closingKey);
        close(replaced, key);
    }

    /**
     * Before an UNLINK of, or a RENAME over, a name of {@code key} that has {@code nlink} links: if
     * it was the last, a parked id of the inode goes (it would keep the removed file's space).
     */
    void forgetIfLastLink(InodeKey key, long nlink) {
        // nlink is not trusted: two hard links unlinked at once both see 2; one more ioctl later is cheap
        Integer parked;
        synchronized (this) {
            parked = idle.remove(key);
            anyIdle = !idle.isEmpty();
        }
        if (parked != null) {
            close(parked, key);
        }
    }

    /** Whether any id is parked (then an UNLINK or RENAME looks up the inode it removes). */
    boolean anyIdle() {
        return anyIdle;
    }

    private void close(int id, InodeKey key) {
        if (id > 0) {
            int res = filter.backingClose(id);
            if (res != 0) {
                LOG.warn("FUSE_DEV_IOC_BACKING_CLOSE of id {} (inode {}) failed: {}", id, key, errnoName(-res));
            }
        }
    }

    /**
     * The status reply's part: "passthrough=on passthrough_opens=N backing_ids=N backing_ids_parked=N
     * backing_ids_made=N backing_refusals=N" (backing_ids: ids of open inodes; parked: kept after the
     * last release; made: FUSE_DEV_IOC_BACKING_OPENs that gave an id), or
     * "passthrough=off passthrough_off=WORD".
     */
    public String figures() {
        if (!on()) {
            return "passthrough=off passthrough_off=" + off.word();
        }
        int held;
        int parked;
        synchronized (this) {
            held = ids.size();
            parked = idle.size();
        }
        return "passthrough=on passthrough_opens=" + passthroughOpens.sum() + " backing_ids=" + held
                + " backing_ids_parked=" + parked + " backing_ids_made=" + made.sum() + " backing_refusals="
                + refusals.sum();
    }

    private static String errnoName(int errno) {
        Errno e = Errno.of(errno);
        return e == null ? "errno " + errno : e.name() + " (" + e.message() + ")";
    }
}

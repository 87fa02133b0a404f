package org.denyfs.kernel.passthrough;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Errno;
import org.denyfs.core.InodeKey;
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
 * <p>Locks: one, this object's monitor, held only for the map (never across an ioctl); reads and writes
 * of passthrough files never reach the daemon.
 */
public final class BackingIds {
    private static final Logger LOG = LogManager.getLogger(BackingIds.class);
    private static final int INIT_WAIT_MILLIS = 30_000;
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

    private final ReplyFilter filter;
    /** Guarded by this. */
    private final Map<InodeKey, Entry> ids = new HashMap<>();
    private final LongAdder passthroughOpens = new LongAdder();
    private final LongAdder refusals = new LongAdder();
    /** Null while INIT has not told yet (the filter asked for passthrough); written once, by decide(). */
    private volatile Off off;
    private volatile String offDetail = "";
    private volatile boolean decided;

    /**
     * @param filter the mount's reply filter, which asked the kernel for passthrough at INIT
     * @param off why opens will not pass through, or null to ask INIT
     */
    public BackingIds(ReplyFilter filter, Off off) {
        this.filter = filter;
        this.off = off;
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
     * At an OPEN or CREATE of the backing file {@code fd} (inode {@code key}): makes the reply
     * being answered on this thread pass through, with this inode's id.
     *
     * @param daemonPath the open should not pass through (its writes must reach the daemon): when the
     *     inode has no id yet it gets none, and its opens take the daemon's path until the last release
     *
     * @return the backing id (positive) when the open passes through, 0 when it takes the daemon's
     *     path because the kernel refused this inode an id (in both cases {@link #release} is owed at
     *     the handle's RELEASE), or {@link #NOT_ATTACHED} when passthrough is off (nothing is owed)
     */
    int attach(InodeKey key, int fd, boolean daemonPath) {
        if (!on()) {
            return NOT_ATTACHED;
        }
        int id = share(key);
        if (id < 0 && daemonPath) {
            id = claimDaemonPath(key);
        } else if (id < 0) {
            // The inode's first open: the ioctl runs outside the lock, so opens and releases of other
            // inodes never wait for it; two first opens of one inode may both ask, and one id goes back.
            int res = filter.backingOpen(fd);
            if (res <= 0) {
                refusals.increment();
                LOG.warn("FUSE_DEV_IOC_BACKING_OPEN refused for inode {}: {}; its opens take the daemon's path",
                        key, errnoName(-res));
            }
            int spare;
            synchronized (this) {
                Entry e = ids.get(key);
                if (e == null) {
                    e = new Entry(Math.max(res, 0));
                    ids.put(key, e);
                    spare = 0;
                } else {
                    spare = res;
                }
                e.opens++;
                id = e.id;
            }
            if (spare > 0) {
                filter.backingClose(spare);
            }
        }
        if (id > 0) {
            filter.passthrough(id);
            passthroughOpens.increment();
        }
        return id;
    }

    /**
     * The inode's first open wants the daemon's path (it must see the WRITEs): an entry with id 0,
     * so its concurrent opens take that path too; or, if another first open made an id meanwhile,
     * that id (the kernel then wants this open to pass through as well).
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
            return -1;
        }
        e.opens++;
        return e.id;
    }

    /**
     * At the RELEASE of a handle whose {@link #attach} returned true: the last one closes the id,
     * outside the lock (the kernel has released every file it opened with it by then, so a new open
     * of the inode may already be making the next one).
     */
    void release(InodeKey key) {
        Entry e;
        synchronized (this) {
            e = ids.get(key);
            if (e == null || --e.opens > 0) {
                return;
            }
            ids.remove(key);
        }
        if (e.id > 0) {
            int res = filter.backingClose(e.id);
            if (res != 0) {
                LOG.warn("FUSE_DEV_IOC_BACKING_CLOSE of id {} (inode {}) failed: {}", e.id, key, errnoName(-res));
            }
        }
    }

    /** The status reply's part: "passthrough=on passthrough_opens=N backing_ids=N", or "passthrough=off passthrough_off=WORD". */
    public String figures() {
        if (!on()) {
            return "passthrough=off passthrough_off=" + off.word();
        }
        int held;
        synchronized (this) {
            held = ids.size();
        }
        return "passthrough=on passthrough_opens=" + passthroughOpens.sum() + " backing_ids=" + held
                + " backing_refusals=" + refusals.sum();
    }

    private static String errnoName(int errno) {
        Errno e = Errno.of(errno);
        return e == null ? "errno " + errno : e.name() + " (" + e.message() + ")";
    }
}

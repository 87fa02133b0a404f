package org.denyfs.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The table of tracked inodes, keyed by (st_dev, st_ino) so that every hard link, handle and
 * process shares one {@link WriteCount}, as the kernel's i_writecount is per inode.
 *
 * <p>An entry lives exactly as long as somebody pins it: {@link #pin} on open (or deny), and
 * {@link #unpin} on release. A pinned-to-zero entry is removed in the same atomic step, so an idle
 * inode leaves nothing behind and the table never grows with the number of files ever touched.
 * Pins change under the map's per-bin lock (ConcurrentHashMap.compute), never a global one; the
 * count itself is lock-free.
 */
public final class Inodes {
    /** How often a refusal may be retried after a stale holder's release landed. */
    private static final int STALE_RETRIES = 8;

    private final ConcurrentHashMap<InodeKey, Inode> table = new ConcurrentHashMap<>();
    private final StaleHolders staleHolders;

    public Inodes() {
        this(StaleHolders.NONE);
    }

    public Inodes(StaleHolders staleHolders) {
        this.staleHolders = staleHolders;
    }

    /**
     * Takes one unit of {@code key}'s write count for {@code kind}: get_write_access for
     * {@link HoldKind#WRITE}, exclusive_deny_write_access for {@link HoldKind#EXCLUSIVE_DENY},
     * deny_write_access otherwise. ETXTBSY leaves nothing behind.
     */
    public Hold take(InodeKey key, HoldKind kind, int pid, int uid) {
        return take(key, kind, pid, uid, kind == HoldKind.WRITE || kind == HoldKind.EXEC);
    }

    /** As {@link #take(InodeKey, HoldKind, int, int)}, saying whether an open file of the inode carries it. */
    public Hold take(InodeKey key, HoldKind kind, int pid, int uid, boolean onFile) {
        Inode inode = pin(key);
        // Listed before it counts, and counted down before it is unlisted (release): at every
        // moment each unit of the count has a listed hold behind it, which stale checks rely on.
        Hold hold = new Hold(inode, kind, pid, uid, onFile);
        inode.add(hold);
        try {
            acquire(inode, kind);
        } catch (RuntimeException e) {
            inode.remove(hold);
            unpin(inode);
            throw e;
        }
        return hold;
    }

    /** Gives back exactly what {@link #take} took. A second release of one hold is a bug. */
    public void release(Hold hold) {
        if (!hold.markReleased()) {
            throw new IllegalStateException("released twice: " + hold);
        }
        Inode inode = hold.inode();
        if (hold.kind() == HoldKind.WRITE) {
            inode.writes().put();
        } else {
            inode.writes().allow();
        }
        inode.remove(hold);
        unpin(inode);
    }

    private void acquire(Inode inode, HoldKind kind) {
        for (int attempt = 0; ; attempt++) {
            try {
                if (kind == HoldKind.WRITE) {
                    inode.writes().get();
                } else if (kind.exclusive()) {
                    inode.writes().exclusiveDeny();
                } else {
                    inode.writes().deny();
                }
                return;
            } catch (ErrnoException refused) {
                if (attempt >= STALE_RETRIES || !awaitStale(inode, kind)) {
                    throw refused;
                }
            }
        }
    }

    private boolean awaitStale(Inode inode, HoldKind kind) {
        try {
            return staleHolders.awaitRelease(inode, kind);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Finds or creates the entry for {@code key} and pins it once. Pair with {@link #unpin}. */
    public Inode pin(InodeKey key) {
        return table.compute(key, (k, inode) -> {
            Inode i = inode == null ? new Inode(k) : inode;
            i.pins++;
            return i;
        });
    }

    /** Drops one pin; the last one removes the entry, which must then be idle. */
    public void unpin(Inode inode) {
        table.computeIfPresent(inode.key(), (k, i) -> {
            if (i != inode) {
                throw new IllegalStateException("unpin of a stale entry for " + k);
            }
            if (--i.pins > 0) {
                return i;
            }
            if (i.pins < 0 || i.writes().value() != 0) {
                throw new IllegalStateException("last unpin of " + i + " with pins=" + i.pins);
            }
            return null;
        });
    }

    /** The count of an inode, 0 for one nobody holds (which is what the kernel would say). */
    public int count(InodeKey key) {
        Inode i = table.get(key);
        return i == null ? 0 : i.writes().value();
    }

    /**
     * The count as user space sees it: holds whose processes have let go but whose asynchronous
     * release has not landed yet are waited for (see {@link StaleHolders}), so a query right after
     * a close(2) says what the kernel would.
     */
    public int settledCount(InodeKey key) {
        Inode inode = table.get(key);
        for (int attempt = 0; inode != null && attempt < STALE_RETRIES; attempt++) {
            int c = inode.writes().value();
            // Ask as if the opposite side had just been refused: that is who this count keeps out.
            HoldKind keptOut = c > 0 ? HoldKind.DENY : c < 0 ? HoldKind.WRITE : null;
            if (keptOut == null || !awaitStale(inode, keptOut)) {
                break;
            }
        }
        return count(key);
    }

    /** The tracked entry, or null if nobody holds the inode. */
    public Inode find(InodeKey key) {
        return table.get(key);
    }

    public int size() {
        return table.size();
    }

    public void forEach(BiConsumer<InodeKey, Inode> action) {
        table.forEach(action);
    }
}

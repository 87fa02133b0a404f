package org.denyfs.kernel.passthrough;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * The table behind {@code fi->fh}, as passthrough_hp keeps its open files: {@link #get}, on every
 * read and write, is one array load with no lock and no allocation (a map keyed by {@code Long}
 * boxes the key on every lookup). A handle is {@code tag | generation << 32 | slot}: a slot freed
 * by a release is reused, under a new generation, so a stale handle still answers EBADF. The tag
 * (bit 62 or none) tells the tables of one mount apart, so the op table can tell from {@code fi->fh}
 * alone whose handle it is: the backing files' or the control tree's.
 */
public final class Handles {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Entry[].class);
    /** The bit a tag may use; generations stay below it (they wrap after 2^30 - 1 opens). */
    public static final long TAG_BITS = 1L << 62;
    private static final long MAX_GENERATION = (1L << 30) - 1;

    private record Entry(long fh, Handle handle) {}

    /** Taken by {@link #add} and {@link #remove} only, for a few stores: never across a backing open(). */
    private final Object lock = new Object();
    /** Replaced (copied, under lock) when full; a reader sees its entry in every later copy. */
    private volatile Entry[] slots = new Entry[64];
    /** Guarded by lock. */
    private int[] free = new int[64];
    private int freeCount;
    private int highWater;
    private int live;
    private long generation;
    private final long tag;

    /** A table whose handles carry no tag. */
    public Handles() {
        this(0);
    }

    /** @param tag 0, or bit 62: or'ed into every handle of this table */
    public Handles(long tag) {
        if ((tag & ~TAG_BITS) != 0) {
            throw new IllegalArgumentException("tag " + Long.toHexString(tag) + " outside bit 62");
        }
        this.tag = tag;
    }

    public long add(Handle handle) {
        synchronized (lock) {
            int slot = freeCount > 0 ? free[--freeCount] : highWater++;
            generation = generation == MAX_GENERATION ? 1 : generation + 1;
            long fh = tag | (generation << 32) | slot;
            Entry entry = new Entry(fh, handle);
            Entry[] s = slots;
            if (slot >= s.length) {
                s = Arrays.copyOf(s, s.length * 2);
                s[slot] = entry;
                slots = s;
            } else {
                SLOT.setRelease(s, slot, entry);
            }
            live++;
            return fh;
        }
    }

    public Handle get(long fh) {
        Entry[] s = slots;
        int slot = (int) fh;
        Entry e = slot >= 0 && slot < s.length ? (Entry) SLOT.getAcquire(s, slot) : null;
        if (e == null || e.fh != fh) {
            throw new ErrnoException(Errno.EBADF, "no handle " + fh);
        }
        return e.handle;
    }

    public Handle remove(long fh) {
        synchronized (lock) {
            Entry[] s = slots;
            int slot = (int) fh;
            Entry e = slot >= 0 && slot < s.length ? s[slot] : null;
            if (e == null || e.fh != fh) {
                throw new ErrnoException(Errno.EBADF, "release of unknown handle " + fh);
            }
            SLOT.setRelease(s, slot, (Entry) null);
            if (freeCount == free.length) {
                free = Arrays.copyOf(free, free.length * 2);
            }
            free[freeCount++] = slot;
            live--;
            return e.handle;
        }
    }

    public int size() {
        synchronized (lock) {
            return live;
        }
    }
}

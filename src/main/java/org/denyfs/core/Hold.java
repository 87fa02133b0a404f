package org.denyfs.core;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One unit of an inode's write count that somebody holds: the thing {@link Inodes#release}
 * gives back. Identity matters (two writers from one pid are two holds), so this is not a record.
 */
public final class Hold {
    private final Inode inode;
    private final HoldKind kind;
    private final int pid;
    private final int uid;
    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    private final long sinceMillis = System.currentTimeMillis();
    /** Orders holds taken within one millisecond. */
    private final long sequence = SEQUENCE.incrementAndGet();
    private final AtomicBoolean released = new AtomicBoolean();
    private final boolean onFile;

    Hold(Inode inode, HoldKind kind, int pid, int uid, boolean onFile) {
        this.inode = inode;
        this.kind = kind;
        this.pid = pid;
        this.uid = uid;
        this.onFile = onFile;
    }

    /**
     * True if the hold lives as long as an open file on the inode itself (an open, or an ioctl on
     * it), false if it lives with something else (a control-file handle, a module load).
     */
    public boolean onFile() {
        return onFile;
    }

    public Inode inode() {
        return inode;
    }

    public HoldKind kind() {
        return kind;
    }

    /** The process that took it, from the FUSE request context (0 when the daemon itself did). */
    public int pid() {
        return pid;
    }

    public int uid() {
        return uid;
    }

    public long sinceMillis() {
        return sinceMillis;
    }

    public long sequence() {
        return sequence;
    }

    boolean markReleased() {
        return released.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return kind.label() + " pid=" + pid + " uid=" + uid + " on " + inode.key();
    }
}

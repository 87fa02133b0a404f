package org.denyfs.kernel.control;

import java.util.function.IntConsumer;
import org.denyfs.core.InodeKey;

/**
 * A resolved control-request PATH: what {@code fstat(2)} of the one descriptor the path was
 * resolved into says (the backing inode, its mode and owner, for the permission check), and, for a
 * verb that acts on the file's data (finit), that very descriptor, open for reading. Every check and
 * the act itself use this one resolution, so a symlink swapped after it changes nothing.
 *
 * <p>Close it when the request is over: that closes the descriptor, if one was kept. Idempotent;
 * not thread-safe (a target belongs to the request that resolved it).
 */
public final class Target implements AutoCloseable {
    private final InodeKey key;
    private final int mode;
    private final int uid;
    private final int gid;
    private int fd;
    private final IntConsumer closeFd;

    /** A target with no descriptor kept: the verb needs only the inode and its attributes. */
    public Target(InodeKey key, int mode, int uid, int gid) {
        this(key, mode, uid, gid, -1, fd -> {});
    }

    /** A target that keeps {@code fd} (a descriptor of the inode {@code key}), closed by {@code closeFd}. */
    public Target(InodeKey key, int mode, int uid, int gid, int fd, IntConsumer closeFd) {
        this.key = key;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        this.fd = fd;
        this.closeFd = closeFd;
    }

    public InodeKey key() {
        return key;
    }

    /** st_mode, file type bits included. */
    public int mode() {
        return mode;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** The descriptor the path was resolved into, open for reading; only for targets that keep one. */
    public int fd() {
        if (fd < 0) {
            throw new IllegalStateException("this target keeps no descriptor");
        }
        return fd;
    }

    @Override
    public void close() {
        int f = fd;
        if (f >= 0) {
            fd = -1;
            closeFd.accept(f);
        }
    }
}

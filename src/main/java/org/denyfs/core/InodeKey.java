package org.denyfs.core;

/** A backing inode's identity: st_dev and st_ino. Every hard link to a file has the same key. */
public record InodeKey(long dev, long ino) {
    @Override
    public String toString() {
        return Long.toHexString(dev) + ":" + ino;
    }
}

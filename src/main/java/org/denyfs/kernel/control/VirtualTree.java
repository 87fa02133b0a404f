package org.denyfs.kernel.control;

import org.denyfs.kernel.natives.Stat;

/**
 * The files denyfs adds under {@code MOUNT/.denyfs/}. They shadow a backing entry of the same
 * name and are left out of the root's listing, so {@code cp -r} of a mount copies only real files.
 * Inode numbers sit far above what backing file systems hand out (the mount uses use_ino).
 */
public final class VirtualTree {
    /** The tree's directory in the mount root; {@link #CONTROL} is denyfs_abi.h's DENYFS_CONTROL_PATH (VirtualTreeTest). */
    public static final String DIR_NAME = ".denyfs";
    public static final String DIR = "/" + DIR_NAME;
    public static final String CONTROL = DIR + "/control";
    public static final long DIR_INO = 0x7fde_0000_0000_0001L;
    public static final long CONTROL_INO = 0x7fde_0000_0000_0002L;

    private VirtualTree() {}

    public static boolean isVirtual(String path) {
        return path.equals(DIR) || path.startsWith(DIR + "/");
    }

    /** Attributes of a directory of the tree into libfuse's stat at {@code stat}. */
    public static void fillDir(long stat, long ino, long mountSeconds) {
        Stat.fill(stat, ino, Stat.S_IFDIR | 0555, 2, 0, mountSeconds);
    }

    public static void fillFile(long stat, long ino, int mode, long size, long mountSeconds) {
        Stat.fill(stat, ino, Stat.S_IFREG | mode, 1, size, mountSeconds);
    }

    public static void fillLink(long stat, long ino, long size, long mountSeconds) {
        Stat.fill(stat, ino, Stat.S_IFLNK | 0777, 1, size, mountSeconds);
    }
}

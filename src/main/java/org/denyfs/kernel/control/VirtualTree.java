package org.denyfs.kernel.control;
import ru.serce.jnrfuse.struct.FileStat;

/**
 * The files denyfs adds under {@code MOUNT/.denyfs/}. They shadow a backing entry of the same
 * name and are left out of the root's listing, so {@code cp -r} of a mount copies only real files.
 * Inode numbers sit far above what backing file systems hand out (the mount uses use_ino).
 */
public final class VirtualTree {
    public static final String DIR = "/.denyfs";
    public static final String CONTROL = DIR + "/control";
    public static final String DIR_NAME = ".denyfs";
    public static final long DIR_INO = 0x7fde_0000_0000_0001L;
    public static final long CONTROL_INO = 0x7fde_0000_0000_0002L;

    private VirtualTree() {}

    public static boolean isVirtual(String path) {
        return path.equals(DIR) || path.startsWith(DIR + "/");
    }

    public static void fillDir(FileStat stat, long ino, long mountSeconds) {
        stat.st_mode.set(FileStat.S_IFDIR | 0555);
        stat.st_nlink.set(2);
        fill(stat, ino, mountSeconds);
    }

    public static void fillFile(FileStat stat, long ino, int mode, long size, long mountSeconds) {
        stat.st_mode.set(FileStat.S_IFREG | mode);
        stat.st_nlink.set(1);
        fill(stat, ino, mountSeconds);
        stat.st_size.set(size);
    }

    public static void fillLink(FileStat stat, long ino, long size, long mountSeconds) {
        stat.st_mode.set(FileStat.S_IFLNK | 0777);
        stat.st_nlink.set(1);
        fill(stat, ino, mountSeconds);
        stat.st_size.set(size);
    }

    private static void fill(FileStat stat, long ino, long mountSeconds) {
        stat.st_ino.set(ino);
        stat.st_uid.set(0);
        stat.st_gid.set(0);
        stat.st_size.set(0);
        stat.st_atim.tv_sec.set(mountSeconds);
        stat.st_mtim.tv_sec.set(mountSeconds);
        stat.st_ctim.tv_sec.set(mountSeconds);
    }
}

package org.denyfs.kernel.pending;

/**
 * One line of /proc/PID/maps (or a mapping's header line in smaps):
 * {@code start-end perms offset major:minor inode [path]}, the numbers of the device in hex.
 *
 * @param range "start-end", as printed
 * @param device "major:minor" in decimal, as {@link #device(long)} writes it
 * @param path the mapped file's name, "" for an anonymous mapping
 */
record Mapping(String range, String perms, String device, long ino, String path) {
    /** The line's mapping, or null for any other line (smaps's "Size:  4 kB" and the like). */
    static Mapping parse(String line) {
        String[] f = line.split("\\s+", 6);
        if (f.length < 5 || f[0].indexOf('-') <= 0 || f[1].length() != 4 || f[3].indexOf(':') <= 0) {
            return null;
        }
        try {
            int colon = f[3].indexOf(':');
            long major = Long.parseLong(f[3].substring(0, colon), 16);
            long minor = Long.parseLong(f[3].substring(colon + 1), 16);
            // unsigned: overlayfs's xino may set the top bit of an inode number
            return new Mapping(f[0], f[1], device(major, minor), Long.parseUnsignedLong(f[4]), f.length > 5 ? f[5] : "");
        } catch (NumberFormatException notAMapping) {
            return null;
        }
    }

    /** MAP_SHARED: the perms end in 's' ('p' is private, copy-on-write). */
    boolean shared() {
        return perms.charAt(3) == 's';
    }

    boolean writable() {
        return perms.charAt(1) == 'w';
    }

    static String device(long major, long minor) {
        return major + ":" + minor;
    }

    /** A st_dev as glibc encodes it (gnu_dev_major/gnu_dev_minor), written as {@link #device(long, long)}. */
    static String device(long stDev) {
        long major = ((stDev >>> 8) & 0xfffL) | ((stDev >>> 32) & 0xfffff000L);
        long minor = (stDev & 0xffL) | ((stDev >>> 12) & 0xffffff00L);
        return device(major, minor);
    }
}

package org.denyfs.abi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * /proc/self/mounts, read fresh each time: the kernel's word on what is mounted, not anybody's
 * bookkeeping. The one reader of it in denyfs: the general queries serve the benchmarks, the denyfs
 * ones the clients.
 */
public final class MountTable {
    public static final String FSTYPE = Abi.FSTYPE;
    public static final String CONTROL = Abi.CONTROL_PATH;
    private static final Path PROC_MOUNTS = Path.of("/proc/self/mounts");

    /** One line of /proc/mounts. */
    public record Entry(String source, Path mountPoint, String fsType) {}

    private MountTable() {}

    /** Every mount, of any type, in /proc/mounts order. */
    public static List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(PROC_MOUNTS)) {
            String[] f = line.split(" ");
            if (f.length >= 3) {
                entries.add(new Entry(unescape(f[0]), Path.of(unescape(f[1])), f[2]));
            }
        }
        return entries;
    }

    /** The mount of any type whose mount point is exactly {@code mountPoint}, if any. */
    public static Optional<Entry> mountedAt(Path mountPoint) throws IOException {
        Path p = mountPoint.toAbsolutePath().normalize();
        return read().stream().filter(e -> e.mountPoint().equals(p)).findFirst();
    }

    /** Mounts at or below {@code dir}; used to prove nothing was left behind. */
    public static List<Entry> under(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        return read().stream().filter(e -> e.mountPoint().startsWith(d)).toList();
    }

    /** The mount holding {@code path} (the innermost one), of any type. */
    public static Optional<Entry> containing(Path path) throws IOException {
        return innermost(read(), path);
    }

    public static List<Path> denyfsMounts() {
        try {
            return read().stream().filter(e -> e.fsType().equals(FSTYPE)).map(Entry::mountPoint).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The denyfs mount that holds {@code file} (the innermost one), if any. */
    public static Optional<Path> mountOf(Path file) {
        try {
            return innermost(read().stream().filter(e -> e.fsType().equals(FSTYPE)).toList(), file).map(Entry::mountPoint);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True if a denyfs mount sits exactly at {@code mountPoint}. */
    public static boolean isMounted(Path mountPoint) {
        return denyfsMounts().contains(mountPoint.toAbsolutePath().normalize());
    }

    private static Optional<Entry> innermost(List<Entry> entries, Path path) {
        Path p = path.toAbsolutePath().normalize();
        Entry best = null;
        for (Entry e : entries) {
            if (p.startsWith(e.mountPoint())
                    && (best == null || e.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** /proc/mounts writes space, tab, newline and backslash as \040, \011, \012, \134. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}

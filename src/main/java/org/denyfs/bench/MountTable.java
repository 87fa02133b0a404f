package org.denyfs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** /proc/mounts, read fresh each time: the kernel's word on what is mounted, not our bookkeeping. */
final class MountTable {
    record Entry(String source, Path mountPoint, String fsType) {
    }

    private static final Path PROC_MOUNTS = Path.of("/proc/mounts");

    private MountTable() {
    }

    static List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(PROC_MOUNTS)) {
            String[] f = line.split(" ");
            if (f.length >= 3) {
                entries.add(new Entry(unescape(f[0]), Path.of(unescape(f[1])), f[2]));
            }
        }
        return entries;
    }

    static boolean isMounted(Path mountPoint) throws IOException {
        Path p = mountPoint.toAbsolutePath().normalize();
        return read().stream().anyMatch(e -> e.mountPoint().equals(p));
    }

    /** Mounts at or below {@code dir}; used to prove nothing was left behind. */
    static List<Entry> under(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        return read().stream().filter(e -> e.mountPoint().startsWith(d)).toList();
    }

    /** The mount holding {@code path} (longest mount-point prefix), for reporting the backing filesystem. */
    static Optional<Entry> containing(Path path) throws IOException {
        Path p = path.toAbsolutePath().normalize();
        Entry best = null;
        for (Entry e : read()) {
            if (p.startsWith(e.mountPoint())
                    && (best == null || e.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** /proc/mounts writes space, tab, newline and backslash as \040 \011 \012 \134. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
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

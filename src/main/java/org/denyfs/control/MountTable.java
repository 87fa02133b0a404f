package org.denyfs.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The denyfs mounts of this mount namespace, from /proc/self/mounts. */
public final class MountTable {
    public static final String FSTYPE = Abi.FSTYPE;
    public static final String CONTROL = Abi.CONTROL_PATH;

    private MountTable() {}

    public static List<Path> denyfsMounts() {
        List<Path> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals(FSTYPE)) {
                    mounts.add(Path.of(unescape(f[1])));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return mounts;
    }

    /** The denyfs mount that holds {@code file} (the innermost one), if any. */
    public static Optional<Path> mountOf(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path best = null;
        for (Path m : denyfsMounts()) {
            if (abs.startsWith(m) && (best == null || m.getNameCount() > best.getNameCount())) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    public static boolean isMounted(Path mountPoint) {
        return denyfsMounts().contains(mountPoint.toAbsolutePath().normalize());
    }

    /** /proc/mounts writes space, tab, newline and backslash as \040, \011, \012, \134. */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException | IndexOutOfBoundsException notEscape) {
                    // a plain backslash
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}

package org.denyfs.kernel.pending;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the release-lag rule and the writable-mapping check both read from /proc. */
final class Proc {
    private static final Charset NAMES = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private Proc() {}

    /** Every process's directory, /proc/PID (threads are not listed). */
    static DirectoryStream<Path> processes() throws IOException {
        return Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p.getFileName().toString()));
    }

    /**
     * A name as /proc/PID/maps shows it when read as ISO-8859-1 (so that a name which is not UTF-8
     * cannot stop the reading): the same bytes, each one char.
     */
    static String asInMaps(String name) {
        return new String(name.getBytes(NAMES), StandardCharsets.ISO_8859_1);
    }

    /** The fields of the /proc/self/mountinfo line whose mount point is {@code mountPoint}, or null. */
    static String[] mountInfo(String mountPoint) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(mountPoint)) {
                return f;
            }
        }
        return null;
    }

    private static boolean isPid(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}

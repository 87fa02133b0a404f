package org.denyfs.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes that keep a mount busy, as fuser -m would name them: an open file, a working
 * directory or a root beneath the mount point. Read from /proc, for the log line that says why an
 * unmount had to be lazy; a process that goes away while we look is simply not listed.
 */
final class MountUsers {
    private static final int MAX_NAMED = 5;

    private MountUsers() {}

    /** "pid 812 (bash), pid 815 (cat)", at most five, then "and N more"; "" if nobody is found. */
    static String describe(Path mountPoint) {
        List<String> users = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                if (uses(proc, mountPoint)) {
                    users.add("pid " + proc.getFileName() + " (" + comm(proc) + ")");
                }
            }
        } catch (IOException e) {
            return "";
        }
        if (users.size() <= MAX_NAMED) {
            return String.join(", ", users);
        }
        return String.join(", ", users.subList(0, MAX_NAMED)) + " and " + (users.size() - MAX_NAMED) + " more";
    }

    private static boolean uses(Path proc, Path mountPoint) {
        if (beneath(proc.resolve("cwd"), mountPoint) || beneath(proc.resolve("root"), mountPoint)) {
            return true;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                if (beneath(fd, mountPoint)) {
                    return true;
                }
            }
        } catch (IOException | SecurityException gone) {
            // exited, or not ours to read
        }
        return false;
    }

    private static boolean beneath(Path link, Path mountPoint) {
        try {
            return Files.readSymbolicLink(link).startsWith(mountPoint);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static String comm(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}

package org.denyfs.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.stream.Stream;
import org.denyfs.abi.MountTable;

/**
 * Why a mount cannot work, said before libfuse tries: libfuse writes its reasons to the daemon's
 * stderr, which a background mount does not show, and names none of them well. Each failure is one
 * IOException whose message names the file and the cause, in strerror(3)'s words, with what to do.
 */
final class MountPointCheck {
    static final Path DEV_FUSE = Path.of("/dev/fuse");

    private MountPointCheck() {}

    static void check(Path backing, Path mountPoint, MountOptions options, boolean root) throws IOException {
        directory(backing, "backing directory " + backing);
        fuseDevice();
        String mp = "mount point " + mountPoint;
        directory(mountPoint, mp);
        Optional<MountTable.Entry> there = MountTable.mountedAt(mountPoint);
        if (there.isPresent() && there.get().fsType().equals(MountTable.FSTYPE)) {
            throw new IOException(mp + ": already mounted (denyfs of " + there.get().source()
                    + "); unmount it first with 'denyfs umount " + mountPoint + "'");
        }
        if (!options.fuseOptions().contains("nonempty") && !empty(mountPoint)) {
            throw new IOException(mp + ": not empty (-o nonempty mounts over its files anyway)");
        }
        if (!root) {
            if (onPath("fusermount").isEmpty()) {
                throw new IOException("fusermount: not found; a mount by a user other than root needs it"
                        + " (apt-get install fuse)");
            }
            if (!Files.isWritable(mountPoint)) {
                throw new IOException(mp + ": Permission denied (fusermount needs write access to it)");
            }
        }
    }

    private static void directory(Path dir, String what) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new IOException(what + ": No such file or directory");
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? "cannot be read" : e.getReason();
            throw new IOException(what + ": " + reason + (reason.contains("not connected")
                    ? " (the daemon of a mount there died; 'denyfs umount " + dir + "' recovers it)" : ""));
        }
        if (!a.isDirectory()) {
            throw new IOException(what + ": Not a directory");
        }
    }

    private static void fuseDevice() throws IOException {
        if (!Files.exists(DEV_FUSE)) {
            throw new IOException(DEV_FUSE + ": No such file or directory; FUSE is missing (load it with"
                    + " 'modprobe fuse'; in a container, run it with --device /dev/fuse --cap-add SYS_ADMIN)");
        }
        if (!Files.isReadable(DEV_FUSE) || !Files.isWritable(DEV_FUSE)) {
            throw new IOException(DEV_FUSE + ": Permission denied");
        }
    }

    private static boolean empty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}

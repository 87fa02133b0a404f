package org.denyfs.kernel.passthrough;

import java.util.concurrent.ConcurrentHashMap;
import org.denyfs.kernel.natives.Libc;

/**
 * Files that lost their last name while still open: POSIX says every descriptor keeps working
 * (fstat, read, write, ftruncate, fchmod, fsetxattr...), and the data stays reachable until the last
 * close.
 *
 * <p>libfuse2's high-level API keeps paths, not inodes, so when a file that is open is unlinked or
 * renamed over it "hides" it instead: it renames the node to {@code .fuse_hiddenNNNNNNNNMMMMMMMM}
 * in the same directory (through our rename), answers every later request on it with that path,
 * and unlinks that path at the last release. A real rename would leave the file visible in
 * BACKING (and keep its directory from being removed), so the daemon plays along without one: at
 * the hiding rename it opens the file itself, records the descriptor under the hidden name, and
 * then does what the request really asked, so the name goes at once, as natively. Every operation
 * on a hidden path acts on that descriptor; libfuse's final unlink of it closes the descriptor.
 *
 * <p>The hidden names are unique for the life of the mount (libfuse puts its node id and a counter
 * in them), so they key the table by their last component: a rename of the directory does not
 * change it.
 */
final class HiddenFiles {
    static final String PREFIX = ".fuse_hidden";
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final com.kenai.jffi.MemoryIO MEMORY = com.kenai.jffi.MemoryIO.getInstance();

    /** Hidden name (last component) to the O_RDONLY descriptor that keeps the file reachable. */
    private final ConcurrentHashMap<String, Integer> fds = new ConcurrentHashMap<>();
    /**
     * How many are hidden, read on the hot path (GETATTR) before anything else: none in the common
     * case. A request can name a hidden path only after the hiding request has returned.
     */
    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

    /** Records {@code fd} as the file now known by the hidden path {@code fusePath}. */
    void hide(String fusePath, int fd) {
        Integer old = fds.put(lastComponent(fusePath), fd);
        if (old != null) {
            Libc.INSTANCE.close(old);
        } else {
            count.incrementAndGet();
        }
    }

    /** The descriptor of a hidden FUSE path, or -1 if it names no hidden file. */
    int fd(String fusePath) {
        if (count.get() == 0) {
            return -1;
        }
        String name = lastComponent(fusePath);
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        Integer fd = fds.get(name);
        return fd == null ? -1 : fd;
    }

    /** As {@link #fd(String)} for the C string at {@code fusePath}, decoded only if it could be one. */
    int fd(long fusePath) {
        if (count.get() == 0) {
            return -1;
        }
        long length = MEMORY.indexOf(fusePath, (byte) 0, Integer.MAX_VALUE);
        long slash = length;
        while (slash > 0 && MEMORY.getByte(fusePath + slash - 1) != '/') {
            slash--;
        }
        if (length - slash < PREFIX_BYTES.length) {
            return -1;
        }
        for (int i = 0; i < PREFIX_BYTES.length; i++) {
            if (MEMORY.getByte(fusePath + slash + i) != PREFIX_BYTES[i]) {
                return -1;
            }
        }
        return fd(jnr.ffi.Pointer.wrap(Libc.RUNTIME, fusePath).getString(0));
    }

    /** libfuse's unlink of a hidden path at the last release: the file may go now. */
    boolean forget(String fusePath) {
        Integer fd = count.get() == 0 ? null : fds.remove(lastComponent(fusePath));
        if (fd == null) {
            return false;
        }
        count.decrementAndGet();
        Libc.INSTANCE.close(fd);
        return true;
    }

    int size() {
        return fds.size();
    }

    private static String lastComponent(String fusePath) {
        return fusePath.substring(fusePath.lastIndexOf('/') + 1);
    }
}

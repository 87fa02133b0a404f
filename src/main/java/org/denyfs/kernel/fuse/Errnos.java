package org.denyfs.kernel.fuse;

import java.util.function.IntSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.kernel.natives.Libc;

/**
 * The one place where a throwable becomes {@code -errno} for the kernel. Passthrough calls return
 * {@code -errno} themselves (no exception on the hot path); semantic refusals throw
 * {@link ErrnoException}; anything else is a bug, logged once with the op and answered EIO.
 */
final class Errnos {
    private static final Logger LOG = LogManager.getLogger(FuseOps.class);

    private Errnos() {}

    static int call(String op, String path, IntSupplier body) {
        try {
            return body.getAsInt();
        } catch (RuntimeException | Error e) {
            return of(op, path, e);
        }
    }

    /** {@code -errno} for what {@code op} threw: its errno if it is an ErrnoException, else EIO (logged). */
    static int of(String op, String path, Throwable t) {
        if (t instanceof ErrnoException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {}: {}", op, path, e);
            }
            return -e.errno().code();
        }
        LOG.error("{} {}: unexpected failure, answering EIO", op, path, t);
        return -Errno.EIO.code();
    }
}

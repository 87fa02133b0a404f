package org.denyfs.core;

/**
 * A failure that maps to one errno. Thrown once where the kernel would fail and turned into
 * {@code -errno} in one place at the boundary (FUSE op, control reply, loader exit code).
 */
public final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Errno errno;

    public ErrnoException(Errno errno, String detail) {
        super(detail, null, false, false);
        this.errno = errno;
    }

    public ErrnoException(Errno errno, String detail, Throwable cause) {
        super(detail, cause, false, true);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    /** "detail: Text file busy", the shape of a perror() line. */
    @Override
    public String toString() {
        String detail = getMessage();
        return detail == null || detail.isEmpty() ? errno.message() : detail + ": " + errno.message();
    }
}

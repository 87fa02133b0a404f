package org.denyfs.user.kmod;

/** A failed module call with the kernel's errno, as libkmod's negative return values. */
public final class LoaderException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public LoaderException(int errno, String detail) {
        super(detail);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}

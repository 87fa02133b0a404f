package org.denyfs.testkit;

/** A control request denyfs refused, with the errno's name as the daemon sent it ("ETXTBSY"). */
public final class DenyfsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String errno;

    DenyfsException(String request, String errno, String message) {
        super("denyfs refused '" + request + "': " + errno + (message.isEmpty() ? "" : " " + message));
        this.errno = errno;
    }

    public String errno() {
        return errno;
    }
}

package org.denyfs.core;

/** Who asks: the pid, uid and gid of the process behind a request (the FUSE request context). */
public record Caller(int pid, int uid, int gid) {
    /** The daemon acting for itself. */
    public static final Caller DAEMON = new Caller(0, 0, 0);
}

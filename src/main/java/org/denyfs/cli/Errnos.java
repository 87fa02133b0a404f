package org.denyfs.cli;

import org.denyfs.core.Errno;

/** Errno names from control replies, as the text a user reads (strerror). */
final class Errnos {
    private Errnos() {}

    static String describe(String errnoName) {
        Errno e = Errno.named(errnoName);
        return e == null ? errnoName : e.message();
    }
}

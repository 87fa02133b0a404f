package org.denyfs.bench.io;

import java.util.Locale;

/** The filesystems compared; the reference ones first so ratio columns read left to right. */
public enum TargetKind {
    NATIVE,
    BINDFS,
    DENYFS,
    /** denyfs with -o passthrough=off: every READ and WRITE through the daemon, as before kernel passthrough. */
    DENYFS_NOPT;

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

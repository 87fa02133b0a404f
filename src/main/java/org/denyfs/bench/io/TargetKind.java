package org.denyfs.bench.io;

import java.util.Locale;

/** The filesystems compared; the reference ones first so ratio columns read left to right. */
public enum TargetKind {
    NATIVE,
    BINDFS,
    DENYFS;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}

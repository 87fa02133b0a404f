package org.denyfs.bench.io;

import java.nio.file.Path;
import org.denyfs.bench.harness.Target;

/** The backing directory without any FUSE layer: the baseline every ratio is measured against. */
record NativeTarget(Path dir) implements Target {
    @Override
    public String name() {
        return TargetKind.NATIVE.id();
    }

    @Override
    public String setup() {
        return "backing directory, no FUSE";
    }

    @Override
    public void close() {
        // Nothing mounted.
    }
}

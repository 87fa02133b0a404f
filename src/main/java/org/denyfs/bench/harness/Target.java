package org.denyfs.bench.harness;

import java.io.IOException;
import java.nio.file.Path;

/** A directory to benchmark: the backing directory itself, or a mount over it. Closing unmounts. */
public interface Target extends AutoCloseable {
    String name();

    /** Where iobench runs. */
    Path dir();

    /** How it was set up, for the report (mount command line, or "backing directory"). */
    String setup();

    @Override
    void close() throws IOException;
}

package org.denyfs.fs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/** The table behind {@code fi->fh}: ids from a counter, as fuse-nio-adapter's OpenFileFactory. */
final class Handles {
    private final AtomicLong next = new AtomicLong(1);
    private final ConcurrentHashMap<Long, Handle> table = new ConcurrentHashMap<>();

    long add(Handle handle) {
        long fh = next.getAndIncrement();
        table.put(fh, handle);
        return fh;
    }

    Handle get(long fh) {
        Handle h = table.get(fh);
        if (h == null) {
            throw new ErrnoException(Errno.EBADF, "no handle " + fh);
        }
        return h;
    }

    Handle remove(long fh) {
        Handle h = table.remove(fh);
        if (h == null) {
            throw new ErrnoException(Errno.EBADF, "release of unknown handle " + fh);
        }
        return h;
    }

    int size() {
        return table.size();
    }
}

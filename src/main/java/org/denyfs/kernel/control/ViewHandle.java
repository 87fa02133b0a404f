package org.denyfs.kernel.control;

import com.kenai.jffi.MemoryIO;
import org.denyfs.core.Errno;
import org.denyfs.kernel.passthrough.Handle;

/** An open view file: the snapshot taken at open, read at any offset, never written. */
final class ViewHandle implements Handle {
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final byte[] content;

    ViewHandle(byte[] content) {
        this.content = content;
    }

    @Override
    public int read(long buf, long size, long offset) {
        if (offset >= content.length) {
            return 0;
        }
        int n = (int) Math.min(size, content.length - offset);
        MEMORY.putByteArray(buf, content, (int) offset, n);
        return n;
    }

    @Override
    public int write(long buf, long size, long offset) {
        return -Errno.EACCES.code();
    }

    @Override
    public void release() {
        // nothing held
    }
}

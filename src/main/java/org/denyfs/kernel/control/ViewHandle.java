package org.denyfs.kernel.control;
import jnr.ffi.Pointer;
import org.denyfs.core.Errno;
import org.denyfs.kernel.passthrough.Handle;

/** An open view file: the snapshot taken at open, read at any offset, never written. */
public final class ViewHandle implements Handle {
    private final byte[] content;

    public ViewHandle(byte[] content) {
        this.content = content;
    }

    @Override
    public int read(Pointer buf, long size, long offset) {
        if (offset >= content.length) {
            return 0;
        }
        int n = (int) Math.min(size, content.length - offset);
        buf.put(0, content, (int) offset, n);
        return n;
    }

    @Override
    public int write(Pointer buf, long size, long offset) {
        return -Errno.EACCES.code();
    }

    @Override
    public void release() {
        // nothing held
    }
}

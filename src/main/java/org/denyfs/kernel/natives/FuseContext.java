package org.denyfs.kernel.natives;
import com.kenai.jffi.MemoryIO;
import org.denyfs.core.Caller;
import org.denyfs.kernel.fuse.FuseLoop;

/**
 * libfuse 2.9's {@code struct fuse_context} of the request this worker is serving, read in place
 * (jnr-fuse's getContext() builds a Struct of field objects per call). On x86-64:
 * <pre>
 * struct fuse_context { struct fuse *fuse; uid_t uid; gid_t gid; pid_t pid; void *private_data; mode_t umask; };
 *                       0                  8          12         16         24                  32
 * </pre>
 * {@code pid} is the calling thread's id; {@code umask} is the caller's (the kernel sends it with
 * every create, mkdir and mknod).
 */
public final class FuseContext {
    static final int UID_OFFSET = 8;
    static final int GID_OFFSET = 12;
    static final int PID_OFFSET = 16;
    static final int UMASK_OFFSET = 32;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private FuseContext() {}

    /** The process behind the request being served. */
    public static Caller caller() {
        long ctx = FuseLoop.LIB.fuse_get_context();
        return new Caller(MEMORY.getInt(ctx + PID_OFFSET), MEMORY.getInt(ctx + UID_OFFSET), MEMORY.getInt(ctx + GID_OFFSET));
    }

    /** The caller's umask. */
    public static int umask() {
        return MEMORY.getInt(FuseLoop.LIB.fuse_get_context() + UMASK_OFFSET);
    }
}

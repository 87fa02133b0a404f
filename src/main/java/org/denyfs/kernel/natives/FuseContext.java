package org.denyfs.kernel.natives;

import com.kenai.jffi.MemoryIO;
import org.denyfs.core.Caller;

/**
 * libfuse 2.9's {@code struct fuse_context} (fuse.h) of the request this worker is serving, read in
 * place: jnr-fuse's getContext() builds a Struct of field objects per call.
 * <pre>
 * struct fuse_context { struct fuse *fuse; uid_t uid; gid_t gid; pid_t pid; void *private_data; mode_t umask; };
 * </pre>
 * {@code pid} is the calling thread's id; {@code umask} is the caller's (the kernel sends it with
 * every create, mkdir and mknod).
 */
public final class FuseContext {
    public static final int UID = 8;
    public static final int GID = 12;
    public static final int PID = 16;
    public static final int UMASK = 32;
    public static final int BYTES = 40;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private FuseContext() {}

    /** The process behind the request being served. */
    public static Caller caller() {
        long ctx = LibFuse.INSTANCE.fuse_get_context();
        return new Caller(MEMORY.getInt(ctx + PID), MEMORY.getInt(ctx + UID), MEMORY.getInt(ctx + GID));
    }

    /** The caller's umask. */
    public static int umask() {
        return MEMORY.getInt(LibFuse.INSTANCE.fuse_get_context() + UMASK);
    }
}

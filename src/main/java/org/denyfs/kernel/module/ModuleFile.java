package org.denyfs.kernel.module;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.denyfs.core.InodeKey;

/**
 * The file descriptor handed to finit_module(): an open handle on one backing inode.
 * {@link FdModuleFile} implements it over a backing descriptor; tests implement it over a byte array.
 *
 * <p>An implementation whose handle was opened for write must already hold write access on the
 * inode (as the kernel's open() does), so the count is positive while it is open. Denies go through
 * the implementation so that the layer which owns the inode table can list and account them.
 */
public interface ModuleFile {
    /**
     * deny_write_access() on the backing inode, as kernel_read_file() takes it around the read:
     * ETXTBSY at once while anybody writes. Closing the result is allow_write_access().
     */
    Denial denyWrites();

    /**
     * exclusive_deny_write_access() of the seed commit: ETXTBSY at once unless the count is 0.
     * Closing the result is allow_write_access().
     */
    Denial exclusiveDenyWrites();

    /** A deny held on the inode; {@link #close()} gives it back, exactly once. */
    interface Denial extends AutoCloseable {
        @Override
        void close();
    }

    /** The file's name, for accounting only (the kernel keys nothing on it), e.g. "cryptd.ko". */
    default String name() {
        return "?";
    }

    /** The uid of the process that called finit_module on this handle: its reads count against that uid's memory budget. */
    int uid();

    /** The backing inode: what the idempotent-load groups are keyed on. */
    InodeKey inode();

    /** FMODE_READ: opened O_RDONLY or O_RDWR. */
    boolean readable();

    /** Opened with write access (O_WRONLY or O_RDWR). */
    boolean openedForWrite();

    /** An O_PATH handle, which fdget() refuses. */
    boolean pathOnly();

    /** S_ISREG of the inode. */
    boolean regularFile();

    /** i_size_read(): the file's size now. */
    long size() throws IOException;

    /**
     * Reads the file from offset 0 into {@code dst} until {@code dst} is full or the file ends, and
     * returns the number of bytes read (less than {@code dst.remaining()} only at end of file).
     */
    int readFully(ByteBuffer dst) throws IOException;
}

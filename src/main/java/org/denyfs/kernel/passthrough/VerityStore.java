package org.denyfs.kernel.passthrough;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.VerityArgs;

/**
 * Where a file's fs-verity state lives: its {@code struct fsverity_descriptor} (the bytes the
 * kernel itself stores after the Merkle tree on ext4, and whose hash is the file digest) in the
 * extended attribute {@value #XATTR} of the backing inode.
 *
 * <p>Why an xattr, not a sidecar file: verity belongs to the inode, and so does an xattr. Every hard
 * link shares it, a rename keeps it, a copy or a file re-created at the same path has none, and it
 * goes with the inode's last link, exactly as the kernel's verity flag does; it survives a remount,
 * is set atomically (XATTR_CREATE settles two enables racing to the end), and needs no extra file to
 * hide from listings or keep in step with renames. A {@code trusted.*} name needs CAP_SYS_ADMIN, so no
 * unprivileged user can forge it in BACKING, and the mount hides it ({@link #hides}) so nobody can
 * through the mount. A backing file system without trusted.* xattrs (some container overlays) answers
 * FS_IOC_ENABLE_VERITY with EOPNOTSUPP, as a kernel file system without verity support does.
 */
final class VerityStore {
    static final String XATTR = "trusted.denyfs.verity";
    /** Every name the mount hides: ours. */
    static final String HIDDEN_PREFIX = "trusted.denyfs.";
    private static final Libc LIBC = Libc.INSTANCE;
    private static final int XATTR_CREATE = 1;
    private static final Pointer NAME = cString(XATTR);
    private static final ThreadLocal<Pointer> BUFFER =
            ThreadLocal.withInitial(() -> Memory.allocateDirect(Libc.RUNTIME, VerityArgs.DESC_BYTES + 1, true));

    private VerityStore() {}

    /** Whether an xattr name belongs to denyfs and is hidden from the mount's xattr calls. */
    static boolean hides(String name) {
        return name != null && name.startsWith(HIDDEN_PREFIX);
    }

    /** One syscall: has the file verity? (the check at every open for write) */
    static boolean isVerity(int fd) {
        return LIBC.fgetxattr(fd, NAME.address(), 0, 0) >= 0;
    }

    /** @return the file's descriptor, or null without verity (or with an attribute that is not one) */
    static byte[] load(int fd) {
        Pointer buf = BUFFER.get();
        long n = LIBC.fgetxattr(fd, NAME.address(), buf.address(), VerityArgs.DESC_BYTES + 1);
        if (n != VerityArgs.DESC_BYTES) {
            return null;
        }
        byte[] descriptor = new byte[VerityArgs.DESC_BYTES];
        buf.get(0, descriptor, 0, descriptor.length);
        try {
            VerityDigest.algorithmOf(descriptor);
        } catch (IllegalArgumentException notOurs) {
            return null;
        }
        return descriptor;
    }

    /** Records verity on the file; EEXIST if it got there first, EOPNOTSUPP where BACKING keeps no trusted.* xattrs. */
    static void save(int fd, byte[] descriptor) {
        Pointer buf = Memory.allocateDirect(Libc.RUNTIME, descriptor.length, true);
        buf.put(0, descriptor, 0, descriptor.length);
        if (LIBC.fsetxattr(fd, XATTR, buf, descriptor.length, XATTR_CREATE) == 0) {
            return;
        }
        int errno = Libc.errno();
        if (errno == Errno.EEXIST.code()) {
            throw new ErrnoException(Errno.EEXIST, "fs-verity is already enabled");
        }
        if (errno == Errno.EOPNOTSUPP.code() || errno == Errno.EPERM.code()) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "the backing file system keeps no " + XATTR + " attribute");
        }
        throw Libc.lastError("fsetxattr " + XATTR);
    }

    private static Pointer cString(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Pointer p = Memory.allocateDirect(Libc.RUNTIME, b.length + 1, true);
        p.put(0, b, 0, b.length);
        return p;
    }
}

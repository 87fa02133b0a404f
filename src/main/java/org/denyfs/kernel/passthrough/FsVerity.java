package org.denyfs.kernel.passthrough;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.Hold;
import org.denyfs.core.HoldKind;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.Stat;
import org.denyfs.kernel.natives.VerityArgs;

/**
 * FS_IOC_ENABLE_VERITY and FS_IOC_MEASURE_VERITY on a backing handle, with the rules of
 * fs/verity/enable.c and measure.c, and the other denier of the seed commit's text: the Merkle tree
 * is built under deny_write_access, so a writer anywhere gives ETXTBSY, and a module load under an
 * exclusive policy meets ETXTBSY while it runs (under plain and idempotent the two denies stack).
 *
 * <p>FUSE forwards both as restricted ioctls (fs/fuse/ioctl.c sizes them itself: the enable argument
 * with the salt and signature appended, the digest buffer from the caller's digest_size). The byte
 * counts the kernel really copied come from the request ({@code inSize}, {@code outSize}), never from
 * the caller's structs, which a second thread of the caller may change while the kernel copies.
 *
 * <p>What is not emulated: the Merkle tree is not kept and reads are not verified against it (a change
 * made directly in BACKING behind the mount's back goes unseen; through the mount the file is
 * immutable); built-in signatures (EOPNOTSUPP); FS_IOC_READ_VERITY_METADATA, whose buffer pointer FUSE's
 * restricted ioctls cannot follow (ENOTTY).
 */
public final class FsVerity {
    private static final Logger LOG = LogManager.getLogger(FsVerity.class);
    private static final Libc LIBC = Libc.INSTANCE;
    /** FS_VERITY_MAX_SIGNATURE_SIZE: FS_VERITY_MAX_DESCRIPTOR_SIZE (16384) less the descriptor. */
    static final int MAX_SIGNATURE = 16384 - VerityArgs.DESC_BYTES;
    private static final int O_WRONLY = 1;

    private final Inodes inodes;
    /** Mounted with -o ro: mnt_want_write_file says EROFS. */
    private final boolean readOnly;
    /** Inodes whose tree is being built: a second enable meanwhile is EBUSY (ext4's begin_enable_verity). */
    private final Set<InodeKey> building = ConcurrentHashMap.newKeySet();
    private final LongAdder enabled = new LongAdder();
    private final LongAdder refused = new LongAdder();
    /** Told after the deny is taken and before the tree is built; tests hold a build here. */
    private volatile Consumer<InodeKey> onBuild = key -> { };

    /** @param readOnly whether the mount is read-only ({@code -o ro}): enabling is then EROFS, as on any read-only mount */
    public FsVerity(Inodes inodes, boolean readOnly) {
        this.inodes = inodes;
        this.readOnly = readOnly;
    }

    /** Whether {@code cmd} is one of the fs-verity ioctls this class answers. */
    public static boolean handles(int cmd) {
        return cmd == VerityArgs.FS_IOC_ENABLE_VERITY || cmd == VerityArgs.FS_IOC_MEASURE_VERITY
                || cmd == VerityArgs.FS_IOC_READ_VERITY_METADATA;
    }

    /** Where a test waits for a build in progress and holds it (MountView); null to let builds run. */
    public void onBuild(Consumer<InodeKey> hook) {
        this.onBuild = hook == null ? key -> { } : hook;
    }

    /** The status reply's part. */
    public String figures() {
        return "verity_enabled=" + enabled.sum() + " verity_refused=" + refused.sum() + " verity_building=" + building.size();
    }

    /** The open-for-write rule of a verity file (fsverity_file_open): EPERM, after the write access was granted. */
    static void refuseWrite(int fd) {
        if (VerityStore.isVerity(fd)) {
            throw new ErrnoException(Errno.EPERM, "the file has fs-verity and is read-only");
        }
    }

    /**
     * One of the ioctls on {@code file}'s descriptor, for {@code caller}; {@code data} is libfuse's
     * buffer of {@code inSize} bytes in (enable) or {@code outSize} bytes out (measure).
     */
    int ioctl(OpenFile file, int cmd, Pointer data, long inSize, long outSize, Caller caller) {
        try {
            if (cmd == VerityArgs.FS_IOC_ENABLE_VERITY) {
                enable(file, data, inSize, caller);
            } else if (cmd == VerityArgs.FS_IOC_MEASURE_VERITY) {
                measure(file.fd, data, outSize);
            } else {
                throw new ErrnoException(Errno.ENOTTY, "FS_IOC_READ_VERITY_METADATA cannot pass through FUSE");
            }
            return 0;
        } catch (ErrnoException e) {
            if (cmd == VerityArgs.FS_IOC_ENABLE_VERITY) {
                refused.increment();
            }
            throw e;
        }
    }

    private void enable(OpenFile file, Pointer data, long inSize, Caller caller) {
        if (data == null || inSize < VerityArgs.ENABLE_BYTES) {
            throw new ErrnoException(Errno.EINVAL, "FS_IOC_ENABLE_VERITY without its argument");
        }
        if (data.getInt(VerityArgs.ENABLE_VERSION) != 1) {
            throw new ErrnoException(Errno.EINVAL, "fsverity_enable_arg.version must be 1");
        }
        boolean reserved = data.getInt(VerityArgs.ENABLE_RESERVED1) != 0;
        for (int at = VerityArgs.ENABLE_RESERVED2; at < VerityArgs.ENABLE_BYTES; at += Long.BYTES) {
            reserved |= data.getLong(at) != 0;
        }
        if (reserved) {
            throw new ErrnoException(Errno.EINVAL, "fsverity_enable_arg has reserved fields set");
        }
        int blockSize = data.getInt(VerityArgs.ENABLE_BLOCK_SIZE);
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new ErrnoException(Errno.EINVAL, "block size " + Integer.toUnsignedString(blockSize) + " is not a power of 2");
        }
        long saltSize = Integer.toUnsignedLong(data.getInt(VerityArgs.ENABLE_SALT_SIZE));
        long sigSize = Integer.toUnsignedLong(data.getInt(VerityArgs.ENABLE_SIG_SIZE));
        if (saltSize > VerityArgs.MAX_SALT || sigSize > MAX_SIGNATURE) {
            throw new ErrnoException(Errno.EMSGSIZE, "salt of " + saltSize + " or signature of " + sigSize + " bytes");
        }
        if (VerityArgs.ENABLE_BYTES + saltSize + sigSize != inSize) {
            throw new ErrnoException(Errno.EFAULT, "fsverity_enable_arg changed while the kernel copied it");
        }
        Pointer st = Stat.of(file.fd);
        if (!mayWrite(caller, st)) {
            throw new ErrnoException(Errno.EACCES, "uid " + caller.uid() + " may not write the file");
        }
        if ((file.flags & Libc.O_ACCMODE) == O_WRONLY) {
            throw new ErrnoException(Errno.EBADF, "the descriptor is not open for reading");
        }
        if ((st.getInt(Stat.ST_MODE) & Stat.S_IFMT) != Stat.S_IFREG) {
            throw new ErrnoException(Errno.EINVAL, "not a regular file");
        }
        if (readOnly) {
            throw new ErrnoException(Errno.EROFS, "the mount is read-only");
        }
        int algorithm = data.getInt(VerityArgs.ENABLE_HASH_ALGORITHM);
        byte[] salt = new byte[(int) saltSize];
        data.get(VerityArgs.ENABLE_BYTES, salt, 0, salt.length);
        long size = st.getLong(Stat.ST_SIZE);
        // deny_write_access(filp): a writer anywhere, this very descriptor included (O_RDWR), is ETXTBSY
        Hold deny = inodes.take(file.key(), HoldKind.VERITY, caller.pid(), caller.uid(), false);
        try {
            // fsverity_init_merkle_tree_params, then the inode-locked checks, as enable_verity orders them
            VerityDigest.HashAlg alg = VerityDigest.HashAlg.of(algorithm);
            if (alg == null) {
                throw new ErrnoException(Errno.EINVAL, "unknown fs-verity hash algorithm " + algorithm);
            }
            if (blockSize < 1 << VerityDigest.MIN_LOG_BLOCK || blockSize > 1 << VerityDigest.MAX_LOG_BLOCK) {
                throw new ErrnoException(Errno.EINVAL, "fs-verity block size " + blockSize + " unsupported (1024 to 4096)");
            }
            if (VerityStore.isVerity(file.fd)) {
                throw new ErrnoException(Errno.EEXIST, "fs-verity is already enabled");
            }
            if (!building.add(file.key())) {
                throw new ErrnoException(Errno.EBUSY, "fs-verity is being enabled by another caller");
            }
            try {
                if (sigSize > 0) {
                    throw new ErrnoException(Errno.EOPNOTSUPP, "fs-verity built-in signatures are not emulated");
                }
                onBuild.accept(file.key());
                byte[] descriptor = VerityDigest.descriptor(alg, Integer.numberOfTrailingZeros(blockSize), salt, size,
                        new FdData(file.fd), (done, total) -> LOG.info("fs-verity on {}: {} of {} bytes hashed", file.key(), done, total));
                VerityStore.save(file.fd, descriptor);
                enabled.increment();
                LOG.debug("fs-verity enabled on {} ({} bytes, {})", file.key(), size, alg.label);
            } finally {
                building.remove(file.key());
            }
        } finally {
            inodes.release(deny); // allow_write_access: from here the file refuses writers with EPERM
        }
    }

    private static void measure(int fd, Pointer data, long outSize) {
        byte[] descriptor = VerityStore.load(fd);
        if (descriptor == null) {
            throw new ErrnoException(Errno.ENODATA, "the file has no fs-verity");
        }
        VerityDigest.HashAlg alg = VerityDigest.algorithmOf(descriptor);
        int wanted = data == null ? 0 : Short.toUnsignedInt(data.getShort(VerityArgs.DIGEST_SIZE));
        if (wanted < alg.digestSize || outSize < VerityArgs.DIGEST + alg.digestSize) {
            throw new ErrnoException(Errno.EOVERFLOW, "the digest needs " + alg.digestSize + " bytes");
        }
        data.putShort(VerityArgs.DIGEST_ALGORITHM, (short) alg.code);
        data.putShort(VerityArgs.DIGEST_SIZE, (short) alg.digestSize);
        byte[] digest = VerityDigest.fileDigest(descriptor);
        data.put(VerityArgs.DIGEST, digest, 0, digest.length);
    }

    /** file_permission(filp, MAY_WRITE) with the caller's ids: root may, as CAP_DAC_OVERRIDE would. */
    private static boolean mayWrite(Caller caller, Pointer st) {
        if (caller.uid() == 0) {
            return true;
        }
        int mode = st.getInt(Stat.ST_MODE);
        if (caller.uid() == st.getInt(Stat.ST_UID)) {
            return (mode & 0200) != 0;
        }
        int gid = st.getInt(Stat.ST_GID);
        boolean member = caller.gid() == gid;
        for (int g : member ? new int[0] : Credentials.groupsOf(caller.pid())) {
            member |= g == gid;
        }
        return (mode & (member ? 0020 : 0002)) != 0;
    }

    /** The file's bytes through its own descriptor, one block per pread; a short read is EINVAL, as the kernel's. */
    private static final class FdData implements VerityDigest.Data {
        private final int fd;
        private Pointer buf;

        FdData(int fd) {
            this.fd = fd;
        }

        @Override
        public void read(byte[] into, int length, long offset) {
            if (buf == null || buf.size() < length) {
                buf = Memory.allocateDirect(Libc.RUNTIME, length, false);
            }
            long n = LIBC.pread(fd, buf, length, offset);
            if (n < 0) {
                throw Libc.lastError("reading the file for its Merkle tree");
            }
            if (n != length) {
                throw new ErrnoException(Errno.EINVAL, "short read of file data at " + offset);
            }
            buf.get(0, into, 0, length);
        }
    }
}

package org.denyfs.kernel.passthrough;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.kernel.natives.VerityArgs;

/**
 * The fs-verity file digest (Documentation/filesystems/fsverity.rst, "File digest computation"):
 * the Merkle tree over the file's blocks, its root hash in a {@code struct fsverity_descriptor},
 * and the hash of that descriptor. Pure computation on the JDK's MessageDigest; the one
 * implementation in denyfs (Debian's {@code fsverity digest} is the test oracle, never called here).
 *
 * <p>The tree: every data block, zero-padded to the block size, is hashed with the salt (zero-padded
 * to the hash's own input block size) in front; the hashes are packed into blocks of the next level,
 * which are hashed the same way, until one block remains, whose hash is the root. A file of one
 * block has that block's hash as its root, an empty file a root of zeros. Like fs/verity/enable.c,
 * the tree is built in one pass with one pending block per level, so memory stays at a few blocks
 * whatever the file's size; the tree itself is not kept (see FsVerity: reads are not verified).
 */
final class VerityDigest {
    /** FS_VERITY_MAX_LEVELS: a deeper tree is refused (EFBIG), as the kernel does. */
    static final int MAX_LEVELS = 8;
    /** fs/verity accepts Merkle tree blocks from 1024 bytes up to the page size. */
    static final int MIN_LOG_BLOCK = 10;
    static final int MAX_LOG_BLOCK = 12;

    /** The hash algorithms fs-verity knows, by their FS_VERITY_HASH_ALG_* number. */
    enum HashAlg {
        SHA256(VerityArgs.FS_VERITY_HASH_ALG_SHA256, "SHA-256", "sha256", 32, 64),
        SHA512(VerityArgs.FS_VERITY_HASH_ALG_SHA512, "SHA-512", "sha512", 64, 128);

        final int code;
        final String jdkName;
        final String label;
        final int digestSize;
        /** The hash's input block size: the salt is padded to a multiple of it. */
        final int inputBlock;

        HashAlg(int code, String jdkName, String label, int digestSize, int inputBlock) {
            this.code = code;
            this.jdkName = jdkName;
            this.label = label;
            this.digestSize = digestSize;
            this.inputBlock = inputBlock;
        }

        /** @return the algorithm, or null for a number fs-verity does not know */
        static HashAlg of(int code) {
            for (HashAlg a : values()) {
                if (a.code == code) {
                    return a;
                }
            }
            return null;
        }

        MessageDigest newDigest() {
            try {
                return MessageDigest.getInstance(jdkName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + jdkName, e);
            }
        }
    }

    /** Reads the file's bytes for the tree: exactly {@code length} bytes at {@code offset}, or throws. */
    interface Data {
        void read(byte[] into, int length, long offset);
    }

    /** Told how far the tree has got (a huge file takes long; the log says so). */
    interface Progress {
        Progress NONE = (done, total) -> { };

        void hashed(long bytesDone, long total);
    }

    private VerityDigest() {}

    /**
     * The fsverity_descriptor of a file of {@code size} bytes read through {@code data}: version 1,
     * the algorithm, log2 of the block size, the salt, the size and the Merkle tree's root hash.
     *
     * @throws ErrnoException EINVAL for a block size or salt fs-verity refuses, EFBIG for a tree
     *         deeper than {@value #MAX_LEVELS} levels
     */
    static byte[] descriptor(HashAlg alg, int logBlockSize, byte[] salt, long size, Data data, Progress progress) {
        if (logBlockSize < MIN_LOG_BLOCK || logBlockSize > MAX_LOG_BLOCK) {
            throw new ErrnoException(Errno.EINVAL, "fs-verity block size " + (1L << logBlockSize)
                    + " unsupported (1024 to 4096 bytes)");
        }
        if (salt.length > VerityArgs.MAX_SALT) {
            throw new ErrnoException(Errno.EMSGSIZE, "fs-verity salt of " + salt.length + " bytes (at most 32)");
        }
        byte[] root = rootHash(alg, 1 << logBlockSize, salt, size, data, progress);
        ByteBuffer d = ByteBuffer.allocate(VerityArgs.DESC_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        d.put(VerityArgs.DESC_VERSION, (byte) 1);
        d.put(VerityArgs.DESC_HASH_ALGORITHM, (byte) alg.code);
        d.put(VerityArgs.DESC_LOG_BLOCKSIZE, (byte) logBlockSize);
        d.put(VerityArgs.DESC_SALT_SIZE, (byte) salt.length);
        d.putLong(VerityArgs.DESC_DATA_SIZE, size);
        d.put(VerityArgs.DESC_ROOT_HASH, root);
        d.put(VerityArgs.DESC_SALT, salt);
        return d.array();
    }

    /** The fs-verity file digest: the hash of the descriptor (whose signature size field stays 0). */
    static byte[] fileDigest(byte[] descriptor) {
        return algorithmOf(descriptor).newDigest().digest(descriptor);
    }

    /** The algorithm a descriptor names; IllegalArgumentException for a descriptor that is not one. */
    static HashAlg algorithmOf(byte[] descriptor) {
        HashAlg alg = descriptor.length == VerityArgs.DESC_BYTES && descriptor[VerityArgs.DESC_VERSION] == 1
                ? HashAlg.of(descriptor[VerityArgs.DESC_HASH_ALGORITHM]) : null;
        if (alg == null) {
            throw new IllegalArgumentException("not an fs-verity descriptor (" + descriptor.length + " bytes)");
        }
        return alg;
    }

    /** The size a descriptor was built over. */
    static long dataSize(byte[] descriptor) {
        return ByteBuffer.wrap(descriptor).order(ByteOrder.LITTLE_ENDIAN).getLong(VerityArgs.DESC_DATA_SIZE);
    }

    /** The number of tree levels above the data for {@code size} bytes (0 for one block or none). */
    static int levels(long size, int blockSize, int digestSize) {
        long blocks = (size + blockSize - 1) / blockSize;
        int hashesPerBlock = blockSize / digestSize;
        int levels = 0;
        while (blocks > 1) {
            blocks = (blocks + hashesPerBlock - 1) / hashesPerBlock;
            levels++;
        }
        return levels;
    }

    private static byte[] rootHash(HashAlg alg, int blockSize, byte[] salt, long size, Data data, Progress progress) {
        if (size == 0) {
            return new byte[alg.digestSize];
        }
        int levels = levels(size, blockSize, alg.digestSize);
        if (levels > MAX_LEVELS) {
            throw new ErrnoException(Errno.EFBIG, "a file of " + size + " bytes needs " + levels
                    + " Merkle tree levels (at most " + MAX_LEVELS + ")");
        }
        MessageDigest salted = alg.newDigest();
        if (salt.length > 0) {
            byte[] padded = new byte[(salt.length + alg.inputBlock - 1) / alg.inputBlock * alg.inputBlock];
            System.arraycopy(salt, 0, padded, 0, salt.length);
            salted.update(padded);
        }
        Tree tree = new Tree(salted, blockSize, alg.digestSize, levels);
        byte[] block = new byte[blockSize];
        for (long offset = 0; offset < size; offset += blockSize) {
            int n = (int) Math.min(blockSize, size - offset);
            data.read(block, n, offset);
            java.util.Arrays.fill(block, n, blockSize, (byte) 0);
            tree.addDataBlock(block);
            if ((offset / blockSize & 0xfff) == 0xfff) {
                progress.hashed(offset + n, size);
            }
        }
        return tree.finish();
    }

    /** One pending block per level, as fs/verity/enable.c keeps them; the root's hash goes to {@code root}. */
    private static final class Tree {
        private final MessageDigest salted;
        private final int blockSize;
        private final int digestSize;
        private final int levels;
        private final byte[][] pending;
        private final int[] filled;
        private final byte[] root;
        private int rootFilled;

        Tree(MessageDigest salted, int blockSize, int digestSize, int levels) {
            this.salted = salted;
            this.blockSize = blockSize;
            this.digestSize = digestSize;
            this.levels = levels;
            this.pending = new byte[levels][blockSize];
            this.filled = new int[levels];
            this.root = new byte[digestSize];
        }

        void addDataBlock(byte[] block) {
            hashInto(block, 0);
            for (int level = 0; level < levels && filled[level] + digestSize > blockSize; level++) {
                hashInto(pending[level], level + 1);
                filled[level] = 0;
            }
        }

        byte[] finish() {
            for (int level = 0; level < levels; level++) {
                if (filled[level] != 0) {
                    java.util.Arrays.fill(pending[level], filled[level], blockSize, (byte) 0);
                    hashInto(pending[level], level + 1);
                    filled[level] = 0;
                }
            }
            if (rootFilled != digestSize) {
                throw new IllegalStateException("Merkle tree ended with " + rootFilled + " root bytes");
            }
            return root;
        }

        /** Hashes a full block (salt first) into the pending block of {@code level}, or the root. */
        private void hashInto(byte[] block, int level) {
            MessageDigest md;
            try {
                md = (MessageDigest) salted.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("MessageDigest " + salted.getAlgorithm() + " cannot be cloned", e);
            }
            md.update(block, 0, blockSize);
            try {
                if (level == levels) {
                    md.digest(root, rootFilled, digestSize);
                    rootFilled += digestSize;
                } else {
                    md.digest(pending[level], filled[level], digestSize);
                    filled[level] += digestSize;
                }
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

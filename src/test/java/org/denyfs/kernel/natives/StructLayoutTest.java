package org.denyfs.kernel.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.LinkedHashMap;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.denyfs.core.Errno;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * Every struct offset the daemon reads or writes in place (kernel.natives, one class per struct) is
 * the one the C compiler computes from the real headers: src/test/c/struct_print.c prints them, as
 * AbiTest does for denyfs_abi.h. libfuse 2.9's fuse.h comes with Debian's libfuse-dev.
 */
class StructLayoutTest {
    private static final long SYS_SETXATTRAT = 463;
    private static final long SYS_GETXATTRAT = 464;
    private static final int AT_FDCWD = -100;

    /** What the Java classes say, under the names struct_print uses. */
    private static Map<String, String> javaLayout(boolean xattrArgs) {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "fuse_file_info.flags", FileInfo.FLAGS);
        put(m, "fuse_file_info.fh", FileInfo.FH);
        put(m, "fuse_file_info.sizeof", FileInfo.BYTES);
        m.put("fuse_file_info.direct_io", FileInfo.BITS + ":" + FileInfo.DIRECT_IO);
        m.put("fuse_file_info.keep_cache", FileInfo.BITS + ":" + FileInfo.KEEP_CACHE);
        m.put("fuse_file_info.nonseekable", FileInfo.BITS + ":" + FileInfo.NONSEEKABLE);

        put(m, "fuse_buf.size", FuseBuf.SIZE);
        put(m, "fuse_buf.flags", FuseBuf.FLAGS);
        put(m, "fuse_buf.mem", FuseBuf.MEM);
        put(m, "fuse_buf.fd", FuseBuf.FD);
        put(m, "fuse_buf.pos", FuseBuf.POS);
        put(m, "fuse_buf.sizeof", FuseBuf.BYTES);
        put(m, "FUSE_BUF_IS_FD", FuseBuf.IS_FD);

        put(m, "fuse_conn_info.capable", ConnInfo.CAPABLE);
        put(m, "fuse_conn_info.want", ConnInfo.WANT);
        put(m, "FUSE_CAP_DONT_MASK", ConnInfo.FUSE_CAP_DONT_MASK);

        put(m, "FS_IOC_ENABLE_VERITY", Integer.toUnsignedLong(VerityArgs.FS_IOC_ENABLE_VERITY));
        put(m, "FS_IOC_MEASURE_VERITY", Integer.toUnsignedLong(VerityArgs.FS_IOC_MEASURE_VERITY));
        put(m, "FS_IOC_READ_VERITY_METADATA", Integer.toUnsignedLong(VerityArgs.FS_IOC_READ_VERITY_METADATA));
        put(m, "FS_VERITY_HASH_ALG_SHA256", VerityArgs.FS_VERITY_HASH_ALG_SHA256);
        put(m, "FS_VERITY_HASH_ALG_SHA512", VerityArgs.FS_VERITY_HASH_ALG_SHA512);
        put(m, "fsverity_enable_arg.version", VerityArgs.ENABLE_VERSION);
        put(m, "fsverity_enable_arg.hash_algorithm", VerityArgs.ENABLE_HASH_ALGORITHM);
        put(m, "fsverity_enable_arg.block_size", VerityArgs.ENABLE_BLOCK_SIZE);
        put(m, "fsverity_enable_arg.salt_size", VerityArgs.ENABLE_SALT_SIZE);
        put(m, "fsverity_enable_arg.sig_size", VerityArgs.ENABLE_SIG_SIZE);
        put(m, "fsverity_enable_arg.__reserved1", VerityArgs.ENABLE_RESERVED1);
        put(m, "fsverity_enable_arg.__reserved2", VerityArgs.ENABLE_RESERVED2);
        put(m, "fsverity_enable_arg.sizeof", VerityArgs.ENABLE_BYTES);
        put(m, "fsverity_digest.digest_algorithm", VerityArgs.DIGEST_ALGORITHM);
        put(m, "fsverity_digest.digest_size", VerityArgs.DIGEST_SIZE);
        put(m, "fsverity_digest.digest", VerityArgs.DIGEST);
        put(m, "fsverity_descriptor.version", VerityArgs.DESC_VERSION);
        put(m, "fsverity_descriptor.hash_algorithm", VerityArgs.DESC_HASH_ALGORITHM);
        put(m, "fsverity_descriptor.log_blocksize", VerityArgs.DESC_LOG_BLOCKSIZE);
        put(m, "fsverity_descriptor.salt_size", VerityArgs.DESC_SALT_SIZE);
        put(m, "fsverity_descriptor.data_size", VerityArgs.DESC_DATA_SIZE);
        put(m, "fsverity_descriptor.root_hash", VerityArgs.DESC_ROOT_HASH);
        put(m, "fsverity_descriptor.salt", VerityArgs.DESC_SALT);
        put(m, "fsverity_descriptor.sizeof", VerityArgs.DESC_BYTES);
        put(m, "FUSE_IOCTL", VerityArgs.FUSE_IOCTL);
        put(m, "fuse_ioctl_in.fh", VerityArgs.IOCTL_IN_FH);
        put(m, "fuse_ioctl_in.cmd", VerityArgs.IOCTL_IN_CMD);
        put(m, "fuse_ioctl_in.in_size", VerityArgs.IOCTL_IN_IN_SIZE);
        put(m, "fuse_ioctl_in.out_size", VerityArgs.IOCTL_IN_OUT_SIZE);

        put(m, "fuse_context.uid", FuseContext.UID);
        put(m, "fuse_context.gid", FuseContext.GID);
        put(m, "fuse_context.pid", FuseContext.PID);
        put(m, "fuse_context.umask", FuseContext.UMASK);
        put(m, "fuse_context.sizeof", FuseContext.BYTES);

        // fuse_operations is jnr-fuse's struct; the flag word after bmap is ours
        FuseOperations ops = new FuseOperations(Runtime.getSystemRuntime());
        put(m, "fuse_operations.bmap", ops.bmap.offset());
        m.put("fuse_operations.flag_nullpath_ok", OperationsFlags.offset(ops) + ":" + OperationsFlags.NULLPATH_OK);
        m.put("fuse_operations.flag_nopath", OperationsFlags.offset(ops) + ":" + OperationsFlags.NOPATH);
        m.put("fuse_operations.flag_utime_omit_ok", OperationsFlags.offset(ops) + ":" + OperationsFlags.UTIME_OMIT_OK);

        put(m, "fuse_in_header.len", FuseInHeader.LEN);
        put(m, "fuse_in_header.opcode", FuseInHeader.OPCODE);
        put(m, "fuse_in_header.unique", FuseInHeader.UNIQUE);
        put(m, "fuse_in_header.nodeid", FuseInHeader.NODEID);
        put(m, "fuse_in_header.sizeof", FuseInHeader.BYTES);
        put(m, "FUSE_FORGET", FuseInHeader.FUSE_FORGET);
        put(m, "FUSE_UNLINK", FuseInHeader.FUSE_UNLINK);
        put(m, "FUSE_RENAME", FuseInHeader.FUSE_RENAME);
        put(m, "FUSE_BATCH_FORGET", FuseInHeader.FUSE_BATCH_FORGET);

        put(m, "open_how.flags", OpenHow.FLAGS);
        put(m, "open_how.mode", OpenHow.MODE);
        put(m, "open_how.resolve", OpenHow.RESOLVE);
        put(m, "open_how.sizeof", OpenHow.BYTES);

        if (xattrArgs) {
            put(m, "xattr_args.value", XattrArgs.VALUE);
            put(m, "xattr_args.size", XattrArgs.SIZE);
            put(m, "xattr_args.flags", XattrArgs.FLAGS);
            put(m, "xattr_args.sizeof", XattrArgs.BYTES);
        } else {
            m.put("xattr_args", "absent");
        }

        put(m, "stat.st_dev", Stat.ST_DEV);
        put(m, "stat.st_ino", Stat.ST_INO);
        put(m, "stat.st_nlink", Stat.ST_NLINK);
        put(m, "stat.st_mode", Stat.ST_MODE);
        put(m, "stat.st_uid", Stat.ST_UID);
        put(m, "stat.st_gid", Stat.ST_GID);
        put(m, "stat.st_size", Stat.ST_SIZE);
        put(m, "stat.st_atim", Stat.ST_ATIM);
        put(m, "stat.st_mtim", Stat.ST_MTIM);
        put(m, "stat.st_ctim", Stat.ST_CTIM);
        put(m, "stat.sizeof", Stat.BYTES);
        put(m, "S_IFMT", Stat.S_IFMT);
        put(m, "S_IFREG", Stat.S_IFREG);
        put(m, "S_IFDIR", Stat.S_IFDIR);
        put(m, "S_IFLNK", Stat.S_IFLNK);

        put(m, "dirent.d_ino", Dirent.D_INO);
        put(m, "dirent.d_off", Dirent.D_OFF);
        put(m, "dirent.d_reclen", Dirent.D_RECLEN);
        put(m, "dirent.d_type", Dirent.D_TYPE);
        put(m, "dirent.d_name", Dirent.D_NAME);
        put(m, "dirent.d_name.sizeof", Dirent.NAME_MAX_BYTES);
        return m;
    }

    private static void put(Map<String, String> m, String name, long value) {
        m.put(name, Long.toString(value));
    }

    @Test
    void everyStructLayout_matchesTheCHeaders_asCompiled() throws Exception {
        Map<String, String> compiled = compiled();
        assertThat(javaLayout(!compiled.containsKey("xattr_args"))).isEqualTo(compiled);
    }

    /**
     * struct xattr_args came with Linux 6.13's headers; where the installed ones are older, the
     * layout is checked against the running kernel instead: a value set through setxattrat(2) with
     * our struct is what getxattr(2) reads back, and getxattrat(2) with our struct reads it. A kernel
     * without either call makes Passthrough fall back to /proc/self/fd, and never use the struct.
     */
    @Test
    void xattrArgs_matchesTheRunningKernel() throws Exception {
        Path file = Files.createTempFile(Path.of("target"), "xattr-args", "");
        try {
            byte[] value = "denyfs-xattr-args".getBytes(StandardCharsets.US_ASCII);
            Pointer buf = Memory.allocateDirect(Libc.RUNTIME, 64, true);
            buf.put(0, value, 0, value.length);
            Pointer args = Memory.allocateDirect(Libc.RUNTIME, XattrArgs.BYTES, true);
            args.putLong(XattrArgs.VALUE, buf.address());
            args.putInt(XattrArgs.SIZE, value.length);
            args.putInt(XattrArgs.FLAGS, 0);
            Pointer path = cString(file.toString());
            Pointer name = cString("user.denyfs");
            long rc = Libc.INSTANCE.syscall(SYS_SETXATTRAT, AT_FDCWD, path.address(), 0, name.address(), args.address(), XattrArgs.BYTES);
            int errno = rc < 0 ? Libc.errno() : 0;
            Assumptions.assumeFalse(errno == Errno.ENOSYS.code(), "this kernel has no setxattrat (before 6.13): the struct is never used");
            Assumptions.assumeFalse(errno == Errno.EOPNOTSUPP.code(), "target/ does not take user.* attributes");
            assertThat(rc).as("setxattrat: errno " + errno).isZero();
            UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            ByteBuffer read = ByteBuffer.allocate(64);
            view.read("denyfs", read);
            assertThat(new String(read.array(), 0, read.position(), StandardCharsets.US_ASCII)).isEqualTo("denyfs-xattr-args");

            Pointer out = Memory.allocateDirect(Libc.RUNTIME, 64, true);
            args.putLong(XattrArgs.VALUE, out.address());
            args.putInt(XattrArgs.SIZE, 64);
            long n = Libc.INSTANCE.syscall(SYS_GETXATTRAT, AT_FDCWD, path.address(), 0, name.address(), args.address(), XattrArgs.BYTES);
            assertThat(n).as("getxattrat: errno " + (n < 0 ? Libc.errno() : 0)).isEqualTo(value.length);
            byte[] got = new byte[value.length];
            out.get(0, got, 0, got.length);
            assertThat(got).isEqualTo(value);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Pointer cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Pointer p = Memory.allocateDirect(Libc.RUNTIME, b.length + 1, true);
        p.put(0, b, 0, b.length);
        return p;
    }

    private static Map<String, String> compiled() throws IOException, InterruptedException {
        Path bin = Files.createTempFile("struct_print", "");
        try {
            run("gcc", "-Wall", "-Wextra", "-Werror", "-o", bin.toString(), "src/test/c/struct_print.c");
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : run(bin.toString()).split("\n")) {
                String[] kv = line.split("=", 2);
                m.put(kv[0], kv[1]);
            }
            return m;
        } finally {
            Files.deleteIfExists(bin);
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }
}

/* struct_print: prints the layout of every native struct the daemon reads or writes in place, as
 * the C compiler sees it in the real headers (libfuse 2.9's fuse.h and fuse_common.h, linux/fuse.h,
 * linux/openat2.h, linux/xattr.h, sys/stat.h, dirent.h), one NAME=VALUE per line, so that
 * kernel.natives (one Java class per struct) can be checked against it: StructLayoutTest.
 * Build: gcc -o struct_print struct_print.c (libfuse-dev's fuse.h, which wants a 64-bit off_t).
 * Bitfields have no offsetof: each is set alone in a zeroed struct and printed as OFFSET:MASK, the
 * 32-bit word it lands in and its bit there. */
#define _FILE_OFFSET_BITS 64
#define FUSE_USE_VERSION 26
#include <dirent.h>
#include <fuse/fuse.h>
#include <linux/fuse.h>
#include <linux/fsverity.h>
#include <linux/openat2.h>
#include <linux/xattr.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define OFF(type, field, name) printf("%s=%zu\n", name, offsetof(type, field))
#define SIZE(type, name) printf("%s=%zu\n", name, sizeof(type))
#define NUM(value, name) printf("%s=%ld\n", name, (long)(value))

/* where the one bit set in a zeroed object lands: "OFFSET:MASK" of its aligned 32-bit word */
static void bit(const void *object, size_t size, const char *name)
{
	const unsigned char *b = object;
	for (size_t i = 0; i < size; i += 4) {
		uint32_t word;
		memcpy(&word, b + i, 4);
		if (word != 0) {
			printf("%s=%zu:%u\n", name, i, word);
			return;
		}
	}
	printf("%s=none\n", name);
}

#define BIT(type, field, name) do { type o; memset(&o, 0, sizeof o); o.field = 1; bit(&o, sizeof o, name); } while (0)

int main(void)
{
	/* libfuse 2.9, fuse_common.h */
	OFF(struct fuse_file_info, flags, "fuse_file_info.flags");
	OFF(struct fuse_file_info, fh, "fuse_file_info.fh");
	SIZE(struct fuse_file_info, "fuse_file_info.sizeof");
	BIT(struct fuse_file_info, direct_io, "fuse_file_info.direct_io");
	BIT(struct fuse_file_info, keep_cache, "fuse_file_info.keep_cache");
	BIT(struct fuse_file_info, nonseekable, "fuse_file_info.nonseekable");

	OFF(struct fuse_buf, size, "fuse_buf.size");
	OFF(struct fuse_buf, flags, "fuse_buf.flags");
	OFF(struct fuse_buf, mem, "fuse_buf.mem");
	OFF(struct fuse_buf, fd, "fuse_buf.fd");
	OFF(struct fuse_buf, pos, "fuse_buf.pos");
	SIZE(struct fuse_buf, "fuse_buf.sizeof");
	NUM(FUSE_BUF_IS_FD, "FUSE_BUF_IS_FD");

	OFF(struct fuse_conn_info, capable, "fuse_conn_info.capable");
	OFF(struct fuse_conn_info, want, "fuse_conn_info.want");
	NUM(FUSE_CAP_DONT_MASK, "FUSE_CAP_DONT_MASK");

	/* libfuse 2.9, fuse.h */
	OFF(struct fuse_context, uid, "fuse_context.uid");
	OFF(struct fuse_context, gid, "fuse_context.gid");
	OFF(struct fuse_context, pid, "fuse_context.pid");
	OFF(struct fuse_context, umask, "fuse_context.umask");
	SIZE(struct fuse_context, "fuse_context.sizeof");

	OFF(struct fuse_operations, bmap, "fuse_operations.bmap");
	BIT(struct fuse_operations, flag_nullpath_ok, "fuse_operations.flag_nullpath_ok");
	BIT(struct fuse_operations, flag_nopath, "fuse_operations.flag_nopath");
	BIT(struct fuse_operations, flag_utime_omit_ok, "fuse_operations.flag_utime_omit_ok");

	/* the kernel's, linux/fuse.h */
	OFF(struct fuse_in_header, len, "fuse_in_header.len");
	OFF(struct fuse_in_header, opcode, "fuse_in_header.opcode");
	OFF(struct fuse_in_header, unique, "fuse_in_header.unique");
	OFF(struct fuse_in_header, nodeid, "fuse_in_header.nodeid");
	SIZE(struct fuse_in_header, "fuse_in_header.sizeof");
	NUM(FUSE_FORGET, "FUSE_FORGET");
	NUM(FUSE_UNLINK, "FUSE_UNLINK");
	NUM(FUSE_RENAME, "FUSE_RENAME");
	NUM(FUSE_BATCH_FORGET, "FUSE_BATCH_FORGET");

	/* linux/fsverity.h, and the fuse_ioctl_in fields that size an ioctl's buffers */
	NUM((unsigned)FS_IOC_ENABLE_VERITY, "FS_IOC_ENABLE_VERITY");
	NUM((unsigned)FS_IOC_MEASURE_VERITY, "FS_IOC_MEASURE_VERITY");
	NUM((unsigned)FS_IOC_READ_VERITY_METADATA, "FS_IOC_READ_VERITY_METADATA");
	NUM(FS_VERITY_HASH_ALG_SHA256, "FS_VERITY_HASH_ALG_SHA256");
	NUM(FS_VERITY_HASH_ALG_SHA512, "FS_VERITY_HASH_ALG_SHA512");
	OFF(struct fsverity_enable_arg, version, "fsverity_enable_arg.version");
	OFF(struct fsverity_enable_arg, hash_algorithm, "fsverity_enable_arg.hash_algorithm");
	OFF(struct fsverity_enable_arg, block_size, "fsverity_enable_arg.block_size");
	OFF(struct fsverity_enable_arg, salt_size, "fsverity_enable_arg.salt_size");
	OFF(struct fsverity_enable_arg, sig_size, "fsverity_enable_arg.sig_size");
	OFF(struct fsverity_enable_arg, __reserved1, "fsverity_enable_arg.__reserved1");
	OFF(struct fsverity_enable_arg, __reserved2, "fsverity_enable_arg.__reserved2");
	SIZE(struct fsverity_enable_arg, "fsverity_enable_arg.sizeof");
	OFF(struct fsverity_digest, digest_algorithm, "fsverity_digest.digest_algorithm");
	OFF(struct fsverity_digest, digest_size, "fsverity_digest.digest_size");
	OFF(struct fsverity_digest, digest, "fsverity_digest.digest");
	OFF(struct fsverity_descriptor, version, "fsverity_descriptor.version");
	OFF(struct fsverity_descriptor, hash_algorithm, "fsverity_descriptor.hash_algorithm");
	OFF(struct fsverity_descriptor, log_blocksize, "fsverity_descriptor.log_blocksize");
	OFF(struct fsverity_descriptor, salt_size, "fsverity_descriptor.salt_size");
	OFF(struct fsverity_descriptor, data_size, "fsverity_descriptor.data_size");
	OFF(struct fsverity_descriptor, root_hash, "fsverity_descriptor.root_hash");
	OFF(struct fsverity_descriptor, salt, "fsverity_descriptor.salt");
	SIZE(struct fsverity_descriptor, "fsverity_descriptor.sizeof");
	NUM(FUSE_IOCTL, "FUSE_IOCTL");
	OFF(struct fuse_ioctl_in, fh, "fuse_ioctl_in.fh");
	OFF(struct fuse_ioctl_in, cmd, "fuse_ioctl_in.cmd");
	OFF(struct fuse_ioctl_in, in_size, "fuse_ioctl_in.in_size");
	OFF(struct fuse_ioctl_in, out_size, "fuse_ioctl_in.out_size");

	/* linux/openat2.h */
	OFF(struct open_how, flags, "open_how.flags");
	OFF(struct open_how, mode, "open_how.mode");
	OFF(struct open_how, resolve, "open_how.resolve");
	SIZE(struct open_how, "open_how.sizeof");

	/* linux/xattr.h: struct xattr_args came with Linux 6.13; older headers lack it */
#ifdef XATTR_ARGS_SIZE_VER0
	OFF(struct xattr_args, value, "xattr_args.value");
	OFF(struct xattr_args, size, "xattr_args.size");
	OFF(struct xattr_args, flags, "xattr_args.flags");
	SIZE(struct xattr_args, "xattr_args.sizeof");
#else
	printf("xattr_args=absent\n");
#endif

	/* glibc, sys/stat.h */
	OFF(struct stat, st_dev, "stat.st_dev");
	OFF(struct stat, st_ino, "stat.st_ino");
	OFF(struct stat, st_nlink, "stat.st_nlink");
	OFF(struct stat, st_mode, "stat.st_mode");
	OFF(struct stat, st_uid, "stat.st_uid");
	OFF(struct stat, st_gid, "stat.st_gid");
	OFF(struct stat, st_size, "stat.st_size");
	OFF(struct stat, st_atim, "stat.st_atim");
	OFF(struct stat, st_mtim, "stat.st_mtim");
	OFF(struct stat, st_ctim, "stat.st_ctim");
	SIZE(struct stat, "stat.sizeof");
	NUM(S_IFMT, "S_IFMT");
	NUM(S_IFREG, "S_IFREG");
	NUM(S_IFDIR, "S_IFDIR");
	NUM(S_IFLNK, "S_IFLNK");

	/* glibc, dirent.h */
	OFF(struct dirent, d_ino, "dirent.d_ino");
	OFF(struct dirent, d_off, "dirent.d_off");
	OFF(struct dirent, d_reclen, "dirent.d_reclen");
	OFF(struct dirent, d_type, "dirent.d_type");
	OFF(struct dirent, d_name, "dirent.d_name");
	printf("dirent.d_name.sizeof=%zu\n", sizeof(((struct dirent *)0)->d_name));
	return 0;
}

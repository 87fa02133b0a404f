/* denyfs_abi.h - the interface between denyfs and its clients. This header is the authority:
 * org.denyfs.abi.Abi mirrors it and a test holds the two together.
 *
 * ioctls are issued on an open file on a denyfs mount and act on that file's backing inode. Every
 * deny taken with an ioctl belongs to the open file description it was issued on and is allowed
 * again when that description is released (last close, or the holder's death). The int32_t each
 * ioctl writes back is the inode's signed write count after the call. FUSE forwards only
 * "restricted" ioctls, whose size and direction are encoded in the number, hence _IOR. */
#ifndef DENYFS_ABI_H
#define DENYFS_ABI_H

#include <linux/ioctl.h>
#include <stdint.h>

#define DENYFS_IOC_MAGIC 'D'

/* the signed write count: N writers, or -N deniers */
#define DENYFS_IOC_QUERY _IOR(DENYFS_IOC_MAGIC, 1, int32_t)
/* deny_write_access(): ETXTBSY while the file has writers (including this very handle) */
#define DENYFS_IOC_DENY _IOR(DENYFS_IOC_MAGIC, 2, int32_t)
/* exclusive_deny_write_access(): 0 -> -1 only, else ETXTBSY */
#define DENYFS_IOC_XDENY _IOR(DENYFS_IOC_MAGIC, 3, int32_t)
/* allow_write_access() of the newest deny this handle holds; EINVAL if it holds none */
#define DENYFS_IOC_ALLOW _IOR(DENYFS_IOC_MAGIC, 4, int32_t)

/* finit_module(2) with the file this ioctl is issued on as the module image: the daemon plays the
 * kernel, so exclusivity (policy "exclusive") and idempotence (policy "idempotent") apply to this
 * open file's inode exactly as to the fd of a real finit_module. The ioctl returns 0 or fails with
 * the kernel's errno (EEXIST, ETXTBSY, ENOEXEC, ENOENT, EINVAL, EBUSY, ...).
 * With DENYFS_FINIT_TICKET in options, a call that must wait for another caller's load of the same
 * file (policy "idempotent") returns at once with a ticket, a positive ioctl(2) result, and the
 * caller waits for the result without a daemon thread: "wait TICKET" on a control handle opened
 * O_NONBLOCK, reading its reply after poll(2) says POLLIN (denyfs_finit() in denyfs.h). */
#define DENYFS_FINIT_PARAMS_MAX 4088
#define DENYFS_FINIT_TICKET 1
struct denyfs_finit_args {
	int32_t flags;                           /* MODULE_INIT_IGNORE_MODVERSIONS=1, _VERMAGIC=2, COMPRESSED_FILE=4 */
	int32_t options;                         /* 0, or DENYFS_FINIT_TICKET */
	char params[DENYFS_FINIT_PARAMS_MAX];    /* NUL-terminated, as the kernel's param string */
};
#define DENYFS_IOC_FINIT _IOW(DENYFS_IOC_MAGIC, 5, struct denyfs_finit_args)

/* request_firmware() of the file this ioctl is issued on, as the kernel's firmware loader reads it
 * (kernel_read_file): deny_write_access for the length of the read only, so it fails with ETXTBSY
 * while the file is open for write (this very handle included, if O_RDWR), and stacks on every other
 * denier. Writes back the bytes read. Empty file: EINVAL; over INT_MAX bytes: EFBIG. */
#define DENYFS_IOC_FIRMWARE _IOR(DENYFS_IOC_MAGIC, 6, int64_t)

/* the control file, relative to the mount root, and its request verbs.
 * Module verbs (replies "ok 0" or "err ERRNO message", errno as the kernel's syscall would give):
 *   finit PATH [FLAGS [PARAMS...]]   finit_module of PATH, opened read-only by the daemon for the caller
 *   init LEN [PARAMS...]             init_module: exactly LEN raw image bytes follow on the same handle,
 *                                    right after the newline; the reply comes after the last byte
 *   delete NAME [FLAGS]              delete_module; FLAGS as the syscall's (O_NONBLOCK=2048, O_TRUNC=512)
 *   policy [plain|exclusive|idempotent]   read or switch the module-load policy; replies "ok POLICY"
 *   wait TICKET                      the result of a FINIT ioctl that returned TICKET, for its caller only
 * A finit or wait that waits for another load answers READ on a handle opened O_NONBLOCK with EAGAIN,
 * and wakes poll(2) with POLLIN once its reply is there; on a blocking handle the READ waits. 
 * Firmware verb (as DENYFS_IOC_FIRMWARE; the caller must be allowed to read PATH):
 *   firmware PATH                    request_firmware's read of PATH; replies "ok BYTES"
 * FLAGS are decimal or 0x-hex. PATH and NAME may not contain spaces; PARAMS is the rest of the line. */
#define DENYFS_CONTROL_PATH ".denyfs/control"
#define DENYFS_VERB_QUERY "query"
#define DENYFS_VERB_DENY "deny"
#define DENYFS_VERB_XDENY "xdeny"
#define DENYFS_VERB_ALLOW "allow"
#define DENYFS_VERB_HOLDERS "holders"
#define DENYFS_VERB_STATUS "status"
#define DENYFS_VERB_FINIT "finit"
#define DENYFS_VERB_INIT "init"
#define DENYFS_VERB_DELETE "delete"
#define DENYFS_VERB_POLICY "policy"
#define DENYFS_VERB_WAIT "wait"
#define DENYFS_VERB_FIRMWARE "firmware"

/* read-only views inside the mount, in the kernel's own text formats */
#define DENYFS_PROC_MODULES ".denyfs/proc/modules"    /* as /proc/modules */
#define DENYFS_SYS_MODULE ".denyfs/sys/module"        /* as /sys/module: NAME/{initstate,refcnt,coresize,holders/} */
#define DENYFS_STATS ".denyfs/stats"                  /* as debugfs modules/stats, plus bytes in flight */
/* denyfs's own accounting, for the herd benchmark: tab-separated, after one '#' header line */
#define DENYFS_CALLS ".denyfs/calls"                  /* call, file, result (0 or errno name), count, cpu_us */
#define DENYFS_INFLIGHT ".denyfs/inflight"            /* clock_monotonic_ns, bytes in flight after each change */
#define DENYFS_CALLTRACE ".denyfs/calltrace"          /* clock_monotonic_ns, call, file, result: each call as it ended */

/* the file system type in /proc/mounts */
#define DENYFS_FSTYPE "fuse.denyfs"

#endif

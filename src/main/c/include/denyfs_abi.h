/* denyfs_abi.h - the interface between denyfs and its clients. This header is the authority:
 * org.denyfs.control.Abi mirrors it and a test holds the two together.
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

/* the control file, relative to the mount root, and its request verbs */
#define DENYFS_CONTROL_PATH ".denyfs/control"
#define DENYFS_VERB_QUERY "query"
#define DENYFS_VERB_DENY "deny"
#define DENYFS_VERB_XDENY "xdeny"
#define DENYFS_VERB_ALLOW "allow"
#define DENYFS_VERB_HOLDERS "holders"
#define DENYFS_VERB_STATUS "status"

/* the file system type in /proc/mounts */
#define DENYFS_FSTYPE "fuse.denyfs"

#endif

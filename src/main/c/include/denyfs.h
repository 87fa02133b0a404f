/* denyfs.h - the C client library of denyfs mounts (libdenyfs): the one C client of the control
 * protocol and the ioctls, and the one C table of errno names. Every C program of denyfs is built on
 * it: the tools (denyfs-hold, denyfs-ctl, denyfs-ioctl), the LD_PRELOAD library, the herd launcher
 * and its libkmod workers, and the native tests' helpers.
 *
 * The ioctl calls act on an open file on a denyfs mount; a deny belongs to that open file
 * description and ends when it is released. The control-file calls speak the line protocol of
 * MOUNT/.denyfs/control. Every function returns 0 (or a count) on success and -1 with errno set on
 * failure: ETXTBSY when the write count refuses, EINVAL when there is nothing to allow, ENOTTY when
 * the file is not on a denyfs mount. */
#ifndef DENYFS_H
#define DENYFS_H

#include <stddef.h>
#include <stdint.h>
#include "denyfs_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each stores the inode's signed write count after the call in *count (if count is not NULL). */
int denyfs_query(int fd, int32_t *count);
int denyfs_deny(int fd, int32_t *count);
int denyfs_xdeny(int fd, int32_t *count);
int denyfs_allow(int fd, int32_t *count);

/* request_firmware()'s read of the file fd is open on (DENYFS_IOC_FIRMWARE): ETXTBSY while it is
 * open for write. Stores the bytes read in *bytes (if bytes is not NULL). */
int denyfs_firmware(int fd, int64_t *bytes);

/* Opens MOUNT/.denyfs/control read-write (close-on-exec); returns the fd or -1. */
int denyfs_control_open(const char *mount);

/* Sends one request line (without '\n') and reads its reply into reply (NUL-terminated, '\n'
 * stripped). Returns 0 for an "ok" reply, -1 with errno set from an "err ERRNO" reply (the reply
 * is still in reply). A reply longer than size-1 bytes fails with EMSGSIZE. A request containing
 * '\n' (it would smuggle in a second request) fails with EINVAL before anything is sent. On every
 * failure other than an "err" reply, reply is the empty string. On a handle opened O_NONBLOCK, a
 * reply that is not there yet (EAGAIN) is waited for in poll(2). */
int denyfs_control_request(int ctlfd, const char *request, char *reply, size_t size);

/* finit_module(2) with the open file fd as the module image (DENYFS_IOC_FINIT): flags as the
 * syscall's (MODULE_INIT_*), params the module parameters. 0, or -1 with the kernel's errno;
 * EFAULT for params NULL, E2BIG for params of DENYFS_FINIT_PARAMS_MAX bytes or more. With MOUNT
 * (the denyfs mount fd's file is on), a call that waits for another caller's load of the same file
 * (policy idempotent) holds no daemon thread: the ioctl answers with a ticket and the wait is a
 * poll(2) on a non-blocking control handle ("wait TICKET"). With MOUNT NULL the ioctl itself waits. */
int denyfs_finit(int fd, const char *mount, const char *params, int flags);

/* As denyfs_control_request, with len bytes of body written right after the request line: the raw
 * image of "init LEN [PARAMS]". A request line over the daemon's 4096 bytes fails with EMSGSIZE
 * before anything is sent. */
int denyfs_control_send(int ctlfd, const char *request, const void *body, size_t len, char *reply, size_t size);

/* The innermost denyfs mount (fuse.denyfs in /proc/self/mounts) that holds path, which is made
 * absolute and normalised lexically, as the control protocol resolves it (symlinks inside the mount
 * are followed by the daemon); if that finds none, path's realpath is tried. Stores the mount
 * point in mount and path as the protocol names it (relative to the mount root, with a leading
 * '/') in rel. Returns 0, or -1 with ENOTTY when no denyfs mount holds path, ENAMETOOLONG when a
 * buffer is too small. */
int denyfs_mount_of(const char *path, char *mount, size_t mount_size, char *rel, size_t rel_size);

/* One entry of a holders reply ("KIND pid=N uid=N since=ISO-8601, ..." or "-"). */
struct denyfs_holder {
	char kind[16];   /* write, deny, xdeny, exec, module, module-xdeny, verity, firmware, xread */
	int pid;
	int uid;
	char since[40];  /* ISO-8601 in UTC, as the daemon sends it */
};

/* Parses the next entry of a holders reply (the text after "ok "), advancing *cursor. Returns 1 for
 * an entry, 0 at the end, -1 with EPROTO for text that is not a holders reply. */
int denyfs_holder_next(const char **cursor, struct denyfs_holder *holder);

/* The errno an "err ERRNO message" reply names (a name or a decimal number); EIO for any other. */
int denyfs_reply_errno(const char *reply);

/* The errno table: a name as control replies spell it ("ETXTBSY") and its value. */
const char *denyfs_errno_name(int err);    /* NULL for a value the table does not name */
int denyfs_errno_value(const char *name);  /* 0 for a name the table does not hold */

#ifdef __cplusplus
}
#endif
#endif

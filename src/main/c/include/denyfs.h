/* denyfs.h - a small C client library for denyfs mounts.
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

/* Opens MOUNT/.denyfs/control read-write; returns the fd or -1. */
int denyfs_control_open(const char *mount);

/* Sends one request line (without '\n') and reads its reply into reply (NUL-terminated, '\n'
 * stripped). Returns 0 for an "ok" reply, -1 with errno set from an "err ERRNO" reply. */
int denyfs_control_request(int ctlfd, const char *request, char *reply, size_t size);

#ifdef __cplusplus
}
#endif
#endif

/* libdenyfs: see denyfs.h. Negative errno internally; errno is set only at the API boundary. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "denyfs.h"

static int call(int fd, unsigned long cmd, int32_t *count)
{
	int32_t value = 0;
	if (ioctl(fd, cmd, &value) != 0)
		return -1;
	if (count)
		*count = value;
	return 0;
}

int denyfs_query(int fd, int32_t *count) { return call(fd, DENYFS_IOC_QUERY, count); }
int denyfs_deny(int fd, int32_t *count) { return call(fd, DENYFS_IOC_DENY, count); }
int denyfs_xdeny(int fd, int32_t *count) { return call(fd, DENYFS_IOC_XDENY, count); }
int denyfs_allow(int fd, int32_t *count) { return call(fd, DENYFS_IOC_ALLOW, count); }

int denyfs_control_open(const char *mount)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", mount, DENYFS_CONTROL_PATH) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDWR | O_CLOEXEC);
}

static const struct { const char *name; int value; } errnos[] = {
	{"EPERM", EPERM}, {"ENOENT", ENOENT}, {"EIO", EIO}, {"EBADF", EBADF}, {"EAGAIN", EAGAIN},
	{"EACCES", EACCES}, {"EBUSY", EBUSY}, {"EEXIST", EEXIST}, {"EINVAL", EINVAL},
	{"ETXTBSY", ETXTBSY}, {"ENOEXEC", ENOEXEC}, {"EFBIG", EFBIG}, {"EINTR", EINTR},
	{"ENAMETOOLONG", ENAMETOOLONG}, {"ENOTDIR", ENOTDIR}, {"ELOOP", ELOOP},
	{"EWOULDBLOCK", EWOULDBLOCK}, {"E2BIG", E2BIG}, {"ENOSYS", ENOSYS}, {"EFAULT", EFAULT},
	{"ENOMEM", ENOMEM}, {"ESRCH", ESRCH}, {"EKEYREJECTED", EKEYREJECTED}, {"ENODATA", ENODATA},
	{"EOPNOTSUPP", EOPNOTSUPP}, {"ENOTTY", ENOTTY}, {"EROFS", EROFS}, {"ENOSPC", ENOSPC},
	{"EBADMSG", EBADMSG},
};

static int errno_named(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
		if (strlen(errnos[i].name) == len && !strncmp(errnos[i].name, name, len))
			return errnos[i].value;
	return EIO;
}

int denyfs_control_request(int ctlfd, const char *request, char *reply, size_t size)
{
	char line[4200];
	int n = snprintf(line, sizeof line, "%s\n", request);
	if (n < 0 || n >= (int)sizeof line || size == 0) {
		errno = EINVAL;
		return -1;
	}
	if (write(ctlfd, line, n) != n)
		return -1;
	ssize_t got = read(ctlfd, reply, size - 1);
	if (got <= 0) {
		errno = got == 0 ? EIO : errno;
		return -1;
	}
	reply[got] = '\0';
	if (reply[got - 1] == '\n')
		reply[got - 1] = '\0';
	if (!strncmp(reply, "ok", 2))
		return 0;
	if (!strncmp(reply, "err ", 4)) {
		const char *name = reply + 4;
		errno = errno_named(name, strcspn(name, " "));
	} else {
		errno = EIO;
	}
	return -1;
}

/* libdenyfs: see denyfs.h. Negative errno internally; errno is set only at the API boundary. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
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

int denyfs_firmware(int fd, int64_t *bytes)
{
	int64_t value = 0;
	if (ioctl(fd, DENYFS_IOC_FIRMWARE, &value) != 0)
		return -1;
	if (bytes)
		*bytes = value;
	return 0;
}

static int control_open(const char *mount, int flags)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", mount, DENYFS_CONTROL_PATH) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDWR | O_CLOEXEC | flags);
}

int denyfs_control_open(const char *mount) { return control_open(mount, 0); }

/* ------------------------------------------------------------------ errno names */

#define E(name) {#name, name}
static const struct { const char *name; int value; } errnos[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC), E(EBADF),
	E(ECHILD), E(EAGAIN), {"EWOULDBLOCK", EAGAIN}, E(ENOMEM), E(EACCES), E(EFAULT), E(ENOTBLK),
	E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE),
	E(EMFILE), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), {"EDEADLOCK", EDEADLK}, E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ECHRNG), E(EL2NSYNC), E(EL3HLT),
	E(EL3RST), E(ELNRNG), E(EUNATCH), E(ENOCSI), E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL),
	E(ENOANO), E(EBADRQC), E(EBADSLT), E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR),
	E(ENONET), E(ENOPKG), E(EREMOTE), E(ENOLINK), E(EADV), E(ESRMNT), E(ECOMM), E(EPROTO),
	E(EMULTIHOP), E(EDOTDOT), E(EBADMSG), E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG),
	E(ELIBACC), E(ELIBBAD), E(ELIBSCN), E(ELIBMAX), E(ELIBEXEC), E(EILSEQ), E(ERESTART),
	E(ESTRPIPE), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE),
	E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), {"ENOTSUP", ENOTSUP},
	E(EPFNOSUPPORT), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
	E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN),
	E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL),
	E(EISNAM), E(EREMOTEIO), E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED), E(ENOKEY),
	E(EKEYEXPIRED), E(EKEYREVOKED), E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE),
	E(ERFKILL), E(EHWPOISON),
};
#undef E
#define NERRNOS (sizeof errnos / sizeof errnos[0])

const char *denyfs_errno_name(int err)
{
	for (size_t i = 0; i < NERRNOS; i++)
		if (errnos[i].value == err)
			return errnos[i].name;
	return NULL;
}

static int errno_named(const char *name, size_t len)
{
	for (size_t i = 0; i < NERRNOS; i++)
		if (strlen(errnos[i].name) == len && !memcmp(errnos[i].name, name, len))
			return errnos[i].value;
	return 0;
}

int denyfs_errno_value(const char *name)
{
	return errno_named(name, strlen(name));
}

/* ------------------------------------------------------------------ the control protocol */

/* the longest request line the daemon takes (org.denyfs.kernel.control.Request.MAX_LINE) */
#define REQUEST_MAX 4096
/* bytes per write() of a request's body (an init_module image) */
#define BODY_CHUNK (1 << 20)

int denyfs_finit(int fd, const char *mount, const char *params, int flags)
{
	if (!params) {
		errno = EFAULT;
		return -1;
	}
	struct denyfs_finit_args args;
	size_t len = strnlen(params, sizeof args.params);
	if (len >= sizeof args.params) {
		errno = E2BIG;
		return -1;
	}
	memset(&args, 0, sizeof args);
	args.flags = flags;
	args.options = mount ? DENYFS_FINIT_TICKET : 0;
	memcpy(args.params, params, len);
	int ticket = ioctl(fd, DENYFS_IOC_FINIT, &args);
	if (ticket <= 0)
		return ticket == 0 ? 0 : -1;
	/* the call waits for another load: its result comes on a non-blocking control handle */
	int ctl = control_open(mount, O_NONBLOCK);
	if (ctl < 0)
		return -1;
	char request[64], reply[512];
	snprintf(request, sizeof request, "%s %d", DENYFS_VERB_WAIT, ticket);
	int rc = denyfs_control_request(ctl, request, reply, sizeof reply);
	int saved = errno;
	close(ctl);
	errno = saved;
	return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len < BODY_CHUNK ? len : BODY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* Reads one reply line into reply (NUL-terminated, '\n' stripped). The daemon answers a request in
 * one piece; a reply longer than one read() comes in more. */
static int read_reply(int ctlfd, char *reply, size_t size)
{
	size_t got = 0;
	while (got == 0 || reply[got - 1] != '\n') {
		if (got == size - 1) {
			reply[got] = '\0';
			errno = EMSGSIZE;
			return -1;
		}
		ssize_t r = read(ctlfd, reply + got, size - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			/* an O_NONBLOCK handle whose request waits for another load: wait here, in poll(2),
			 * not in a daemon thread; the daemon wakes us when the reply is there */
			struct pollfd p = {.fd = ctlfd, .events = POLLIN};
			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		got += r;
	}
	reply[--got] = '\0';
	return 0;
}

int denyfs_control_send(int ctlfd, const char *request, const void *body, size_t len, char *reply, size_t size)
{
	char line[REQUEST_MAX + 2];
	if (reply && size > 0)
		reply[0] = '\0'; /* a caller may print the reply after any failure */
	/* a '\n' would end the line early and send the rest as a second request, as the Java Client refuses */
	if (!request || strchr(request, '\n') || !reply || size < 2) {
		errno = EINVAL;
		return -1;
	}
	int n = snprintf(line, sizeof line, "%s\n", request);
	if (n < 0 || n > REQUEST_MAX + 1 || (len && !body)) {
		errno = n > REQUEST_MAX + 1 ? EMSGSIZE : (len && !body) ? EFAULT : EINVAL;
		return -1;
	}
	if (write_all(ctlfd, line, n) != 0 || write_all(ctlfd, body, len) != 0)
		return -1;
	if (read_reply(ctlfd, reply, size) != 0) {
		reply[0] = '\0'; /* a partial line is no reply */
		return -1;
	}
	if (!strncmp(reply, "ok", 2) && (reply[2] == '\0' || reply[2] == ' '))
		return 0;
	errno = denyfs_reply_errno(reply);
	return -1;
}

int denyfs_control_request(int ctlfd, const char *request, char *reply, size_t size)
{
	return denyfs_control_send(ctlfd, request, NULL, 0, reply, size);
}

int denyfs_reply_errno(const char *reply)
{
	if (strncmp(reply, "err ", 4))
		return EIO;
	const char *word = reply + 4;
	size_t len = strcspn(word, " ");
	int err = errno_named(word, len);
	if (err == 0 && len > 0 && len < 5 && strspn(word, "0123456789") == len)
		err = atoi(word);
	return err > 0 ? err : EIO;
}

int denyfs_holder_next(const char **cursor, struct denyfs_holder *h)
{
	const char *p = *cursor;
	if (*p == '\0' || !strcmp(p, "-"))
		return 0;
	size_t len = strcspn(p, ",");
	char entry[256];
	if (len >= sizeof entry)
		goto bad;
	memcpy(entry, p, len);
	entry[len] = '\0';
	char since[sizeof h->since];
	if (sscanf(entry, "%15s pid=%d uid=%d since=%39s", h->kind, &h->pid, &h->uid, since) != 4)
		goto bad;
	memcpy(h->since, since, sizeof since);
	p += len;
	if (*p == ',')
		p += strspn(p, ", ");
	*cursor = p;
	return 1;
bad:
	errno = EPROTO;
	return -1;
}

/* ------------------------------------------------------------------ which mount */

/* path made absolute and normalised without touching the file system ("." and ".." removed). */
static int lexical_absolute(const char *path, char *out, size_t size)
{
	char joined[2 * PATH_MAX];
	if (path[0] == '/') {
		if (snprintf(joined, sizeof joined, "%s", path) >= (int)sizeof joined)
			return -ENAMETOOLONG;
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return -errno;
		if (snprintf(joined, sizeof joined, "%s/%s", cwd, path) >= (int)sizeof joined)
			return -ENAMETOOLONG;
	}
	size_t n = 0;
	for (char *save, *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			while (n > 0 && out[--n] != '/')
				;
			continue;
		}
		size_t len = strlen(c);
		if (n + 1 + len + 1 > size)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, c, len);
		n += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

/* /proc/mounts writes space, tab, newline and backslash as \040, \011, \012, \134. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* 1 if mount (a mount point) is path or one of its ancestors. */
static int holds(const char *mount, const char *path)
{
	size_t len = strlen(mount);
	if (len == 1)
		return 1;
	return !strncmp(mount, path, len) && (path[len] == '\0' || path[len] == '/');
}

/* The innermost denyfs mount holding the absolute, normalised path; the last of stacked ones. */
static int innermost(const char *path, char *mount, size_t mount_size)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	if (!f)
		return -errno;
	char line[3 * PATH_MAX];
	size_t best = 0;
	int found = 0, err = 0;
	while (fgets(line, sizeof line, f)) {
		char *save, *src = strtok_r(line, " ", &save), *dir = strtok_r(NULL, " ", &save);
		char *type = strtok_r(NULL, " ", &save);
		if (!src || !dir || !type || strcmp(type, DENYFS_FSTYPE))
			continue;
		unescape_octal(dir);
		size_t len = strlen(dir);
		if (!holds(dir, path) || (found && len < best))
			continue;
		if (len + 1 > mount_size) {
			err = -ENAMETOOLONG;
			continue;
		}
		memcpy(mount, dir, len + 1);
		best = len;
		found = 1;
	}
	fclose(f);
	return found ? 0 : err ? err : -ENOTTY;
}

static int relative_to(const char *mount, const char *path, char *rel, size_t rel_size)
{
	const char *rest = strlen(mount) == 1 ? path : path + strlen(mount);
	if (snprintf(rel, rel_size, "%s", *rest ? rest : "/") >= (int)rel_size)
		return -ENAMETOOLONG;
	return 0;
}

int denyfs_mount_of(const char *path, char *mount, size_t mount_size, char *rel, size_t rel_size)
{
	char abs[PATH_MAX];
	int err = lexical_absolute(path, abs, sizeof abs);
	if (err == 0)
		err = innermost(abs, mount, mount_size);
	if (err == -ENOTTY) {
		/* reached through a symlink from outside the mount: try where it leads */
		char *real = realpath(path, NULL);
		if (real) {
			if (strlen(real) < sizeof abs) {
				strcpy(abs, real);
				err = innermost(abs, mount, mount_size);
			}
			free(real);
		}
	}
	if (err == 0)
		err = relative_to(mount, abs, rel, rel_size);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

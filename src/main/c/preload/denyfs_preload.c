/* libdenyfs-preload.so - points unmodified kmod tools (insmod, modprobe, rmmod, lsmod) at the
 * emulated kernel of a denyfs mount. Preload it with LD_PRELOAD and name the mount in DENYFS_MOUNT
 * (what `denyfs exec [--mount MNT] -- COMMAND` does), e.g.
 *
 *   DENYFS_MOUNT=/mnt/m LD_PRELOAD=libdenyfs-preload.so \
 *       modprobe -C /dev/null -d /mnt/m -S 6.1.0-56-cloud-amd64 aesni_intel
 *
 * WHAT IS WRAPPED, AND WHY. Debian's /usr/bin/kmod links libkmod statically, so only its calls into
 * libc can be caught, and these are the ones that matter:
 *  - syscall(): glibc has no finit_module() wrapper, so kmod calls syscall(__NR_finit_module, fd,
 *    params, flags). The wrapper handles __NR_finit_module (313 on x86-64), __NR_init_module (175)
 *    and __NR_delete_module (176) itself and hands every other number to the real syscall() (libcrypto
 *    and others call it too).
 *  - init_module(), delete_module() (libc's own), and finit_module() (defensively: a libc that
 *    gains one, or a program that defines no inline of its own, gets ours).
 *  - the path calls, to redirect the kernel's files into the mount's views (below): open, open64,
 *    __open_2, __open64_2, openat, openat64, __openat_2, __openat64_2, creat, creat64, fopen,
 *    fopen64, freopen, freopen64, opendir, stat, stat64, lstat, lstat64, fstatat, fstatat64, statx,
 *    __xstat, __xstat64, __lxstat, __lxstat64, __fxstatat, __fxstatat64, access, faccessat.
 *    libc's internal calls (fopen's own open, scandir, nftw, ...) cannot be caught, which is why
 *    every public entry point of the family is wrapped.
 *
 * THE MODULE CALLS NEVER REACH THE REAL KERNEL (fail closed). None of the three is ever looked up
 * with dlsym, and syscall() forwards through one function, forward_syscall(), that refuses the three
 * numbers (and their x32 aliases) with EPERM before it can call the real one. Every failure returns
 * -1 with errno set; success returns 0 and leaves errno alone, as the syscalls do.
 *  - finit_module(fd, params, flags): denyfs_finit(), ioctl(fd, DENYFS_IOC_FINIT, {flags,
 *    DENYFS_FINIT_TICKET, params}) on the caller's own fd, so the daemon sees the very open file
 *    (exclusive and idempotent policies act on its inode); a call that waits for another load
 *    waits in poll(2) on the control file, holding no daemon thread. The fd must be a FUSE file (statfs magic) on the DENYFS_MOUNT mount (same
 *    st_dev as the mount root), so the ioctl never reaches another file system, where its number
 *    could mean something else; otherwise, or if the ioctl fails with ENOTTY (a daemon without
 *    module support), it fails with EBADF and one line on stderr. EBADF, not ENOSYS: ENOSYS would
 *    make kmod fall back to init_module() and load a file the daemon cannot deny writes on.
 *    params NULL: EFAULT; longer than DENYFS_FINIT_PARAMS_MAX-1 bytes: E2BIG.
 *  - init_module(image, len, params): MNT/.denyfs/control, "init LEN PARAMS\n" then the LEN raw
 *    bytes, then one reply line. params with a newline: EINVAL (the line protocol cannot carry it);
 *    too long: E2BIG, as for finit.
 *  - delete_module(name, flags): "delete NAME FLAGS" (FLAGS decimal: O_NONBLOCK 2048, O_TRUNC 512).
 *    NAME is cut at 55 bytes as the kernel's copy is; a name with a space or control character
 *    names no module: ENOENT.
 *  Replies "ok ..." give 0; "err NAME ..." give -1 with errno NAME (every Linux errno name, and
 *  EWOULDBLOCK == EAGAIN; an unknown name or a malformed reply gives EIO).
 *
 * DENYFS_MOUNT. The absolute path of the mount (trailing slashes ignored), read once, at load time.
 * Unset, empty or relative: the three module calls fail with EPERM and print one line to stderr
 * naming DENYFS_MOUNT, and no path is redirected (the real /proc and /sys are only read, never
 * written). If the control file cannot be opened (not a denyfs mount, daemon gone) the call fails
 * with EPERM and one line naming the file and the reason.
 *
 * REDIRECTED PATHS (absolute, exact spelling; only while DENYFS_MOUNT is set):
 *   /proc/modules           -> MNT/.denyfs/proc/modules
 *   /sys/module, /sys/module/REST -> MNT/.denyfs/sys/module, MNT/.denyfs/sys/module/REST
 *                              (NAME/{initstate,refcnt,coresize,holders/}; openat(dfd, "coresize")
 *                              works because dfd already is the view's directory)
 *   /proc/cmdline           -> /dev/null (empty: the host's command line adds no module options)
 * Relative paths, and other spellings ("/sys//module", "/proc/self/../modules") are not rewritten.
 *
 * FOR TESTS ONLY: DENYFS_CONTROL_FD=N makes the control requests go to the already open,
 * inherited stream socket N (a socketpair end driven by a fake daemon, see native-test/src/fakectl.c)
 * instead of MNT/.denyfs/control; N is neither opened nor closed, and must be a socket (else EPERM).
 * DENYFS_MOUNT is still required. finit_module is unaffected: it needs a real mount.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "denyfs.h"

#define EXPORT __attribute__((visibility("default")))

#ifdef __x86_64__
_Static_assert(SYS_finit_module == 313 && SYS_init_module == 175 && SYS_delete_module == 176,
	       "x86-64 module syscall numbers");
#define X32_BIT 0x40000000L /* __X32_SYSCALL_BIT: the x32 entry of the same syscall */
#else
#define X32_BIT 0L
#endif

#define MODULE_NAME_LEN 56 /* 64 - sizeof(unsigned long): the kernel's name buffer */
#define FUSE_SUPER_MAGIC 0x65735546

/* ------------------------------------------------------------------ configuration */

static char g_mount[PATH_MAX];   /* DENYFS_MOUNT without trailing slashes, or "" */
static const char *g_mount_bad;  /* why g_mount is "" (NULL until configured) */
static int g_control_fd = -1;    /* DENYFS_CONTROL_FD, tests only */
static int g_configured;

static void configure(void)
{
	if (__atomic_load_n(&g_configured, __ATOMIC_ACQUIRE))
		return;
	const char *m = getenv("DENYFS_MOUNT");
	size_t n = m ? strlen(m) : 0;
	while (n > 1 && m[n - 1] == '/')
		n--;
	if (!m || !*m) {
		g_mount_bad = "DENYFS_MOUNT is not set";
	} else if (m[0] != '/') {
		g_mount_bad = "DENYFS_MOUNT is not an absolute path";
	} else if (n + sizeof "/.denyfs/sys/module" + NAME_MAX >= sizeof g_mount) {
		g_mount_bad = "DENYFS_MOUNT is too long";
	} else {
		memcpy(g_mount, m, n);
		g_mount[n] = '\0';
	}
	const char *cfd = getenv("DENYFS_CONTROL_FD");
	if (cfd && *cfd) {
		char *end;
		long v = strtol(cfd, &end, 10);
		if (!*end && v >= 0 && v <= INT_MAX)
			g_control_fd = (int)v;
	}
	__atomic_store_n(&g_configured, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void preload_init(void) { configure(); }

/* One line on stderr, written directly: the program's stdio buffers are left alone. */
__attribute__((format(printf, 2, 3))) static void say(const char *call, const char *fmt, ...)
{
	char line[PATH_MAX + 256];
	int n = snprintf(line, sizeof line, "denyfs-preload: %s: ", call);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nothing left to tell */
	}
}

/* The mount for a module call, or NULL with errno EPERM and a line on stderr. */
static const char *module_mount(const char *call)
{
	configure();
	if (g_mount[0])
		return g_mount;
	say(call, "refused (%s; nothing reaches the real kernel)", g_mount_bad);
	errno = EPERM;
	return NULL;
}

/* ------------------------------------------------------------------ path redirection */

/* path itself, or its view written into buf, or NULL (errno ENAMETOOLONG). */
static const char *redirect(const char *path, char *buf, size_t size)
{
	if (!path || path[0] != '/' || (path[1] != 'p' && path[1] != 's'))
		return path;
	configure();
	if (!g_mount[0])
		return path;
	const char *view, *rest;
	if (!strcmp(path, "/proc/modules")) {
		view = "/" DENYFS_PROC_MODULES;
		rest = "";
	} else if (!strncmp(path, "/sys/module", 11) && (path[11] == '\0' || path[11] == '/')) {
		view = "/" DENYFS_SYS_MODULE;
		rest = path + 11;
	} else if (!strcmp(path, "/proc/cmdline")) {
		return "/dev/null";
	} else {
		return path;
	}
	if (snprintf(buf, size, "%s%s%s", g_mount, view, rest) >= (int)size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

static void *next(const char *name, void **cache)
{
	void *f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
	if (!f) {
		f = dlsym(RTLD_NEXT, name);
		__atomic_store_n(cache, f, __ATOMIC_RELEASE);
	}
	return f;
}

/* Declares `real` as the next definition of NAME with type TYPE; fails the call with ENOSYS
 * (returning FAIL) if there is none. */
#define REAL(TYPE, NAME, FAIL)                                                  \
	static void *cache_;                                                    \
	TYPE real = (TYPE)next(NAME, &cache_);                                  \
	if (!real) {                                                            \
		errno = ENOSYS;                                                 \
		return FAIL;                                                    \
	}

/* Rewrites PATH in place (a local buffer), returning FAIL on ENAMETOOLONG. */
#define REDIRECT(PATH, FAIL)                                                    \
	char buf_[PATH_MAX];                                                    \
	PATH = redirect(PATH, buf_, sizeof buf_);                               \
	if (!PATH)                                                              \
		return FAIL;

static int needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define MODE_ARG(flags, last) ({                                                \
	mode_t m_ = 0;                                                          \
	if (needs_mode(flags)) {                                                \
		va_list ap_;                                                    \
		va_start(ap_, last);                                            \
		m_ = va_arg(ap_, mode_t);                                       \
		va_end(ap_);                                                    \
	}                                                                       \
	m_; })

typedef int (*open_fn)(const char *, int, ...);
typedef int (*open2_fn)(const char *, int);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*openat2_fn)(int, const char *, int);
typedef int (*creat_fn)(const char *, mode_t);
typedef FILE *(*fopen_fn)(const char *, const char *);
typedef FILE *(*freopen_fn)(const char *, const char *, FILE *);
typedef DIR *(*opendir_fn)(const char *);
typedef int (*stat_fn)(const char *, struct stat *);
typedef int (*fstatat_fn)(int, const char *, struct stat *, int);
typedef int (*statx_fn)(int, const char *, int, unsigned int, struct statx *);
typedef int (*xstat_fn)(int, const char *, struct stat *);
typedef int (*fxstatat_fn)(int, int, const char *, struct stat *, int);
typedef int (*access_fn)(const char *, int);
typedef int (*faccessat_fn)(int, const char *, int, int);

#define OPEN_LIKE(NAME)                                                         \
	EXPORT int NAME(const char *path, int flags, ...)                       \
	{                                                                       \
		mode_t mode = MODE_ARG(flags, flags);                           \
		REDIRECT(path, -1);                                             \
		REAL(open_fn, #NAME, -1);                                       \
		return real(path, flags, mode);                                 \
	}
OPEN_LIKE(open)
OPEN_LIKE(open64)

#define OPEN2_LIKE(NAME)                                                        \
	EXPORT int NAME(const char *path, int flags)                            \
	{                                                                       \
		REDIRECT(path, -1);                                             \
		REAL(open2_fn, #NAME, -1);                                      \
		return real(path, flags);                                       \
	}
int __open_2(const char *, int);
int __open64_2(const char *, int);
OPEN2_LIKE(__open_2)
OPEN2_LIKE(__open64_2)

#define OPENAT_LIKE(NAME)                                                       \
	EXPORT int NAME(int dfd, const char *path, int flags, ...)              \
	{                                                                       \
		mode_t mode = MODE_ARG(flags, flags);                           \
		REDIRECT(path, -1);                                             \
		REAL(openat_fn, #NAME, -1);                                     \
		return real(dfd, path, flags, mode);                            \
	}
OPENAT_LIKE(openat)
OPENAT_LIKE(openat64)

#define OPENAT2_LIKE(NAME)                                                      \
	EXPORT int NAME(int dfd, const char *path, int flags)                   \
	{                                                                       \
		REDIRECT(path, -1);                                             \
		REAL(openat2_fn, #NAME, -1);                                    \
		return real(dfd, path, flags);                                  \
	}
int __openat_2(int, const char *, int);
int __openat64_2(int, const char *, int);
OPENAT2_LIKE(__openat_2)
OPENAT2_LIKE(__openat64_2)

#define CREAT_LIKE(NAME)                                                        \
	EXPORT int NAME(const char *path, mode_t mode)                          \
	{                                                                       \
		REDIRECT(path, -1);                                             \
		REAL(creat_fn, #NAME, -1);                                      \
		return real(path, mode);                                        \
	}
CREAT_LIKE(creat)
CREAT_LIKE(creat64)

#define FOPEN_LIKE(NAME)                                                        \
	EXPORT FILE *NAME(const char *path, const char *mode)                   \
	{                                                                       \
		REDIRECT(path, NULL);                                           \
		REAL(fopen_fn, #NAME, NULL);                                    \
		return real(path, mode);                                        \
	}
FOPEN_LIKE(fopen)
FOPEN_LIKE(fopen64)

#define FREOPEN_LIKE(NAME)                                                      \
	EXPORT FILE *NAME(const char *path, const char *mode, FILE *stream)     \
	{                                                                       \
		REDIRECT(path, NULL);                                           \
		REAL(freopen_fn, #NAME, NULL);                                  \
		return real(path, mode, stream);                                \
	}
FREOPEN_LIKE(freopen)
FREOPEN_LIKE(freopen64)

EXPORT DIR *opendir(const char *path)
{
	REDIRECT(path, NULL);
	REAL(opendir_fn, "opendir", NULL);
	return real(path);
}

#define STAT_LIKE(NAME, STRUCT)                                                 \
	EXPORT int NAME(const char *path, struct STRUCT *st)                    \
	{                                                                       \
		REDIRECT(path, -1);                                             \
		REAL(stat_fn, #NAME, -1);                                       \
		return real(path, (struct stat *)st);                           \
	}
STAT_LIKE(stat, stat)
STAT_LIKE(stat64, stat64)
STAT_LIKE(lstat, stat)
STAT_LIKE(lstat64, stat64)

#define FSTATAT_LIKE(NAME, STRUCT)                                              \
	EXPORT int NAME(int dfd, const char *path, struct STRUCT *st, int flags) \
	{                                                                       \
		REDIRECT(path, -1);                                             \
		REAL(fstatat_fn, #NAME, -1);                                    \
		return real(dfd, path, (struct stat *)st, flags);               \
	}
FSTATAT_LIKE(fstatat, stat)
FSTATAT_LIKE(fstatat64, stat64)

EXPORT int statx(int dfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	REDIRECT(path, -1);
	REAL(statx_fn, "statx", -1);
	return real(dfd, path, flags, mask, stx);
}

/* The pre-2.33 stat ABI, still what older binaries call. */
#define XSTAT_LIKE(NAME)                                                        \
	int NAME(int ver, const char *path, struct stat *st);                   \
	EXPORT int NAME(int ver, const char *path, struct stat *st)             \
	{                                                                       \
		REDIRECT(path, -1);                                             \
		REAL(xstat_fn, #NAME, -1);                                      \
		return real(ver, path, st);                                     \
	}
XSTAT_LIKE(__xstat)
XSTAT_LIKE(__xstat64)
XSTAT_LIKE(__lxstat)
XSTAT_LIKE(__lxstat64)

#define FXSTATAT_LIKE(NAME)                                                     \
	int NAME(int ver, int dfd, const char *path, struct stat *st, int flags); \
	EXPORT int NAME(int ver, int dfd, const char *path, struct stat *st, int flags) \
	{                                                                       \
		REDIRECT(path, -1);                                             \
		REAL(fxstatat_fn, #NAME, -1);                                   \
		return real(ver, dfd, path, st, flags);                         \
	}
FXSTATAT_LIKE(__fxstatat)
FXSTATAT_LIKE(__fxstatat64)

EXPORT int access(const char *path, int how)
{
	REDIRECT(path, -1);
	REAL(access_fn, "access", -1);
	return real(path, how);
}

EXPORT int faccessat(int dfd, const char *path, int how, int flags)
{
	REDIRECT(path, -1);
	REAL(faccessat_fn, "faccessat", -1);
	return real(dfd, path, how, flags);
}

/* ------------------------------------------------------------------ the control file */

/* Opens the control file (or hands out DENYFS_CONTROL_FD); -1 with errno EPERM and a line. */
static int control_open(const char *call, const char *mnt)
{
	if (g_control_fd >= 0) {
		struct stat st;
		if (fstat(g_control_fd, &st) == 0 && S_ISSOCK(st.st_mode))
			return g_control_fd;
		say(call, "refused: DENYFS_CONTROL_FD=%d is no socket", g_control_fd);
		errno = EPERM;
		return -1;
	}
	int fd = denyfs_control_open(mnt);
	if (fd < 0) {
		char path[PATH_MAX + 32];
		snprintf(path, sizeof path, "%s/%s", mnt, DENYFS_CONTROL_PATH);
		say(call, "refused: %s: %s", path, strerror(errno));
		errno = EPERM;
	}
	return fd;
}

static void control_close(int fd)
{
	if (fd != g_control_fd)
		close(fd);
}

/* Sends request (one line, without its '\n'), then len bytes of body, and reads the reply: the
 * control protocol is libdenyfs's (denyfs_control_send). */
static int control_call(const char *call, const char *mnt, const char *request, const void *body, size_t len)
{
	int fd = control_open(call, mnt);
	if (fd < 0)
		return -1;
	char reply[512];
	int ret = denyfs_control_send(fd, request, body, len, reply, sizeof reply);
	int err = errno;
	control_close(fd);
	errno = err;
	return ret;
}

/* ------------------------------------------------------------------ the module calls */

static int params_ok(const char *params)
{
	if (!params) {
		errno = EFAULT;
		return 0;
	}
	if (strnlen(params, DENYFS_FINIT_PARAMS_MAX) > DENYFS_FINIT_PARAMS_MAX - 1) {
		errno = E2BIG;
		return 0;
	}
	return 1;
}

static long do_finit_module(int fd, const char *params, int flags)
{
	int saved = errno;
	const char *mnt = module_mount("finit_module");
	if (!mnt || !params_ok(params))
		return -1;
	struct stat file, root;
	struct statfs fs;
	if (fstat(fd, &file) != 0 || fstatfs(fd, &fs) != 0)
		return -1; /* EBADF, as the kernel's fdget() */
	if (stat(mnt, &root) != 0) {
		say("finit_module", "refused: %s: %s", mnt, strerror(errno));
		errno = EPERM;
		return -1;
	}
	/* The ioctl goes to FUSE files of this very mount only: on another file system its number
	 * could mean something else. */
	if (fs.f_type != FUSE_SUPER_MAGIC || file.st_dev != root.st_dev) {
		say("finit_module", "fd %d is not a file on the denyfs mount %s", fd, mnt);
		errno = EBADF;
		return -1;
	}
	if (denyfs_finit(fd, mnt, params, flags) != 0) {
		if (errno == ENOTTY) {
			say("finit_module", "%s does not support DENYFS_IOC_FINIT (ENOTTY)", mnt);
			errno = EBADF;
		}
		return -1;
	}
	errno = saved;
	return 0;
}

static long do_init_module(const void *image, unsigned long len, const char *params)
{
	int saved = errno;
	const char *mnt = module_mount("init_module");
	if (!mnt || !params_ok(params))
		return -1;
	if (!image && len) {
		errno = EFAULT;
		return -1;
	}
	if (strchr(params, '\n')) {
		errno = EINVAL;
		return -1;
	}
	char head[DENYFS_FINIT_PARAMS_MAX + 64];
	snprintf(head, sizeof head, "%s %lu%s%s", DENYFS_VERB_INIT, len, *params ? " " : "", params);
	if (control_call("init_module", mnt, head, image, len) != 0) {
		if (errno == EMSGSIZE)
			errno = E2BIG; /* a line the daemon does not take: parameters too long */
		return -1;
	}
	errno = saved;
	return 0;
}

static long do_delete_module(const char *name, unsigned int flags)
{
	int saved = errno;
	const char *mnt = module_mount("delete_module");
	if (!mnt)
		return -1;
	if (!name) {
		errno = EFAULT;
		return -1;
	}
	char copy[MODULE_NAME_LEN];
	size_t n = strnlen(name, MODULE_NAME_LEN - 1);
	memcpy(copy, name, n);
	copy[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)copy[i] <= ' ' || copy[i] == 0x7f) {
			errno = ENOENT;
			return -1;
		}
	if (n == 0) {
		errno = ENOENT;
		return -1;
	}
	char head[MODULE_NAME_LEN + 64];
	snprintf(head, sizeof head, "%s %s %u", DENYFS_VERB_DELETE, copy, flags);
	if (control_call("delete_module", mnt, head, NULL, 0) != 0)
		return -1;
	errno = saved;
	return 0;
}

EXPORT long finit_module(int fd, const char *params, int flags)
{
	return do_finit_module(fd, params, flags);
}

EXPORT long init_module(const void *image, unsigned long len, const char *params)
{
	return do_init_module(image, len, params);
}

EXPORT long delete_module(const char *name, unsigned int flags)
{
	return do_delete_module(name, flags);
}

static int is_module_syscall(long number)
{
	long base = number & ~X32_BIT;
	return base == SYS_finit_module || base == SYS_init_module || base == SYS_delete_module;
}

typedef long (*syscall_fn)(long, ...);

/* The only way to the real syscall(): it refuses the module numbers whatever its caller did. */
static long forward_syscall(long number, const long a[6])
{
	if (is_module_syscall(number)) {
		errno = EPERM;
		return -1;
	}
	REAL(syscall_fn, "syscall", -1);
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

EXPORT long syscall(long number, ...)
{
	/* Like glibc's own syscall(), take six arguments whatever the caller passed. */
	long a[6];
	va_list ap;
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (is_module_syscall(number)) {
		long base = number & ~X32_BIT;
		if (base == SYS_finit_module)
			return do_finit_module((int)a[0], (const char *)a[1], (int)a[2]);
		if (base == SYS_init_module)
			return do_init_module((const void *)a[0], (unsigned long)a[1], (const char *)a[2]);
		return do_delete_module((const char *)a[0], (unsigned int)a[1]);
	}
	return forward_syscall(number, a);
}

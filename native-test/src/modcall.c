/* modcall CALL ARGS...: makes one module call the way a program would, for the tests of
 * libdenyfs-preload.so, and prints "ok" or the errno's name (exit 0 / 1; 2 for bad usage).
 *   modcall finit FILE FLAGS PARAMS       syscall(SYS_finit_module, open(FILE), PARAMS, FLAGS)
 *   modcall finit-sym FILE FLAGS PARAMS   finit_module() looked up with dlsym (no libc has one)
 *   modcall finit-null FILE               syscall(SYS_finit_module, fd, NULL, 0)
 *   modcall init FILE PARAMS              init_module(contents of FILE, size, PARAMS) from libc
 *   modcall init-syscall FILE PARAMS      the same through syscall(SYS_init_module, ...)
 *   modcall delete NAME FLAGS             delete_module(NAME, FLAGS) from libc
 *   modcall delete-syscall NAME FLAGS     syscall(SYS_delete_module, NAME, FLAGS)
 *   modcall getpid                        syscall(SYS_getpid) must equal getpid(): "ok"
 * PARAMS "-" stands for a string of 5000 'x' (longer than DENYFS_FINIT_PARAMS_MAX). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "denyfs.h"

extern long init_module(const void *image, unsigned long len, const char *params);
extern long delete_module(const char *name, unsigned int flags);

static const char *params_of(const char *arg)
{
	if (strcmp(arg, "-"))
		return arg;
	static char big[5001];
	memset(big, 'x', 5000);
	return big;
}

static void *contents(const char *file, size_t *len)
{
	int fd = open(file, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(file);
		exit(2);
	}
	char *buf = malloc(st.st_size + 1);
	size_t got = 0;
	ssize_t n;
	while (buf && got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	*len = got;
	return buf;
}

static int openfile(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(file);
		exit(2);
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *call = argc > 1 ? argv[1] : "";
	long rc;
	size_t len;
	errno = 0;
	if (!strcmp(call, "finit") && argc == 5) {
		rc = syscall(SYS_finit_module, openfile(argv[2]), params_of(argv[4]), atoi(argv[3]));
	} else if (!strcmp(call, "finit-sym") && argc == 5) {
		long (*f)(int, const char *, int) = (long (*)(int, const char *, int))dlsym(RTLD_DEFAULT, "finit_module");
		if (!f) {
			puts("nosym");
			return 1;
		}
		rc = f(openfile(argv[2]), params_of(argv[4]), atoi(argv[3]));
	} else if (!strcmp(call, "finit-null") && argc == 3) {
		rc = syscall(SYS_finit_module, openfile(argv[2]), NULL, 0);
	} else if (!strcmp(call, "init") && argc == 4) {
		void *image = contents(argv[2], &len);
		rc = init_module(image, len, params_of(argv[3]));
	} else if (!strcmp(call, "init-syscall") && argc == 4) {
		void *image = contents(argv[2], &len);
		rc = syscall(SYS_init_module, image, len, params_of(argv[3]));
	} else if (!strcmp(call, "delete") && argc == 4) {
		rc = delete_module(argv[2], strtoul(argv[3], NULL, 0));
	} else if (!strcmp(call, "delete-syscall") && argc == 4) {
		rc = syscall(SYS_delete_module, argv[2], strtoul(argv[3], NULL, 0));
	} else if (!strcmp(call, "getpid") && argc == 2) {
		rc = syscall(SYS_getpid) == getpid() ? 0 : (errno = EPROTO, -1);
	} else {
		fprintf(stderr, "usage: see the head of modcall.c\n");
		return 2;
	}
	if (rc == 0) {
		puts("ok");
		return 0;
	}
	const char *name = rc == -1 ? denyfs_errno_name(errno) : NULL; /* libdenyfs's table, the one in C */
	printf("%s\n", name ? name : "bad-return");
	return 1;
}

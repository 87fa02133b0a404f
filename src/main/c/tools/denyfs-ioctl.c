/* denyfs-ioctl VERB FILE [-- COMMAND [ARGS...]]
 * The ioctl interface from the shell, and an example client of libdenyfs. VERB is query, deny,
 * xdeny or allow. Prints the count after the call. With a COMMAND, the deny is held while COMMAND
 * runs (its open file description is inherited by nothing else) and the exit status is COMMAND's.
 * Exit status 75 when the deny is refused with ETXTBSY, 1 on other errors, 2 on bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "denyfs.h"

int main(int argc, char **argv)
{
	if (argc < 3 || (argc > 3 && strcmp(argv[3], "--")) || argc == 4) {
		fprintf(stderr, "usage: denyfs-ioctl query|deny|xdeny|allow FILE [-- COMMAND [ARGS...]]\n");
		return 2;
	}
	const char *verb = argv[1], *file = argv[2];
	int (*op)(int, int32_t *) = !strcmp(verb, "query") ? denyfs_query
		: !strcmp(verb, "deny") ? denyfs_deny
		: !strcmp(verb, "xdeny") ? denyfs_xdeny
		: !strcmp(verb, "allow") ? denyfs_allow : NULL;
	if (!op) {
		fprintf(stderr, "denyfs-ioctl: unknown verb '%s'\n", verb);
		return 2;
	}
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "denyfs-ioctl: %s: %s\n", file, strerror(errno));
		return 1;
	}
	int32_t count;
	if (op(fd, &count) != 0) {
		int err = errno;
		fprintf(stderr, "denyfs-ioctl: %s: %s\n", file, err == ENOTTY ? "not on a denyfs mount" : strerror(err));
		return err == ETXTBSY ? 75 : 1;
	}
	printf("%d\n", count);
	fflush(stdout);
	if (argc == 3)
		return 0;
	pid_t child = fork();
	if (child == 0) {
		execvp(argv[4], argv + 4);
		fprintf(stderr, "denyfs-ioctl: %s: %s\n", argv[4], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

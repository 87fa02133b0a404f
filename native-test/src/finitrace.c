/* finitrace MOUNT RELPATH NAME N: N processes finit_module the same file at once, each through the
 * DENYFS_IOC_FINIT ioctl on its own fd (as N udev workers would through finit_module(fd)). The first
 * starts alone; the other N-1 start together once NAME is COMING (the daemon's init_ms keeps it there),
 * so every policy's race is reproduced without a sleep.
 * Prints the tally: "ok=N EEXIST=N ETXTBSY=N other=N". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "denyfs.h"

static int finit(const char *file)
{
	int fd = open(file, O_RDONLY);
	if (fd < 0)
		return errno;
	int rc = denyfs_finit(fd, NULL, "", 0) == 0 ? 0 : errno;
	close(fd);
	return rc;
}

static int coming(const char *state)
{
	char buf[32] = "";
	int fd = open(state, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 0 && !strncmp(buf, "coming", 6);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: finitrace MOUNT RELPATH NAME N\n");
		return 2;
	}
	char file[4096], state[4096];
	snprintf(file, sizeof file, "%s/%s", argv[1], argv[2]);
	snprintf(state, sizeof state, "%s/%s/%s/initstate", argv[1], DENYFS_SYS_MODULE, argv[3]);
	int n = atoi(argv[4]);
	int *result = mmap(NULL, sizeof(int) * n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int go[2];
	if (pipe(go) != 0)
		return 1;
	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			char c;
			if (i > 0 && read(go[0], &c, 1) != 1)
				_exit(1);
			result[i] = finit(file);
			_exit(0);
		}
		if (i == 0) {
			while (!coming(state))
				;
		}
	}
	for (int i = 1; i < n; i++)
		if (write(go[1], "g", 1) != 1)
			return 1;
	while (wait(NULL) > 0)
		;
	int ok = 0, eexist = 0, etxtbsy = 0, other = 0;
	for (int i = 0; i < n; i++) {
		if (result[i] == 0)
			ok++;
		else if (result[i] == EEXIST)
			eexist++;
		else if (result[i] == ETXTBSY)
			etxtbsy++;
		else {
			other++;
			fprintf(stderr, "process %d: %s\n", i, strerror(result[i]));
		}
	}
	printf("ok=%d EEXIST=%d ETXTBSY=%d other=%d\n", ok, eexist, etxtbsy, other);
	return 0;
}

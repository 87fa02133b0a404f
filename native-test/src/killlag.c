/* killlag MOUNT RELPATH ROUNDS: how long after a deny holder is SIGKILLed (and reaped) the daemon
 * has dropped its deny. The holder denies through the control file (mode "control") and through an
 * ioctl (mode "ioctl") in alternate rounds; the lag is measured by polling the "holders" verb,
 * which reports the raw table without waiting for in-flight releases. Prints median and max in us. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "denyfs.h"

static long now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static int cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: killlag MOUNT RELPATH ROUNDS\n");
		return 2;
	}
	int rounds = atoi(argv[3]);
	long *lag[2] = {calloc(rounds, sizeof(long)), calloc(rounds, sizeof(long))};
	int n[2] = {0, 0};
	char file[4096], req[4200], reply[4096];
	snprintf(file, sizeof file, "%s/%s", argv[1], argv[2]);
	snprintf(req, sizeof req, "holders %s", argv[2]);
	int ctl = denyfs_control_open(argv[1]);
	for (int r = 0; r < rounds; r++) {
		int mode = r % 2, pipefd[2];
		if (pipe(pipefd) != 0)
			return 1;
		pid_t child = fork();
		if (child == 0) {
			char deny[4200], rep[256];
			int rc;
			if (mode == 0) {
				int c = denyfs_control_open(argv[1]);
				snprintf(deny, sizeof deny, "deny %s", argv[2]);
				rc = denyfs_control_request(c, deny, rep, sizeof rep);
			} else {
				rc = denyfs_deny(open(file, O_RDONLY), NULL);
			}
			char ok = rc == 0 ? 'y' : 'n';
			if (write(pipefd[1], &ok, 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		char ok;
		if (read(pipefd[0], &ok, 1) != 1 || ok != 'y')
			return 1;
		close(pipefd[0]);
		close(pipefd[1]);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		long start = now_us();
		while (denyfs_control_request(ctl, req, reply, sizeof reply) == 0 && strcmp(reply, "ok -"))
			;
		lag[mode][n[mode]++] = now_us() - start;
	}
	for (int m = 0; m < 2; m++) {
		qsort(lag[m], n[m], sizeof(long), cmp);
		printf("%s: rounds=%d median_us=%ld p99_us=%ld max_us=%ld\n", m ? "ioctl" : "control", n[m],
		       lag[m][n[m] / 2], lag[m][n[m] * 99 / 100], lag[m][n[m] - 1]);
	}
	return 0;
}

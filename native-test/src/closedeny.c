/* closedeny MOUNT RELPATH ROUNDS
 * Each round: open RELPATH for write through the mount, close it, then deny it through the control
 * file and allow it again. Every deny must succeed: close(2) has returned, so the write access is
 * gone as far as the process can tell, even though FUSE delivers RELEASE asynchronously.
 * Prints "rounds=N failures=F" and exits 0 only if F is 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int ask(int ctl, const char *req, char *reply, size_t size)
{
	ssize_t n = write(ctl, req, strlen(req));
	if (n != (ssize_t)strlen(req))
		return -1;
	n = read(ctl, reply, size - 1);
	if (n <= 0)
		return -1;
	reply[n] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: closedeny MOUNT RELPATH ROUNDS\n");
		return 2;
	}
	char file[4096], ctlpath[4096], deny[4200], allow[4200], reply[512];
	snprintf(file, sizeof file, "%s/%s", argv[1], argv[2]);
	snprintf(ctlpath, sizeof ctlpath, "%s/.denyfs/control", argv[1]);
	snprintf(deny, sizeof deny, "deny %s\n", argv[2]);
	snprintf(allow, sizeof allow, "allow %s\n", argv[2]);
	int rounds = atoi(argv[3]), failures = 0;
	int ctl = open(ctlpath, O_RDWR);
	if (ctl < 0) {
		perror(ctlpath);
		return 1;
	}
	for (int i = 0; i < rounds; i++) {
		int fd = open(file, O_WRONLY);
		if (fd < 0) {
			fprintf(stderr, "round %d: open %s: %s\n", i, file, strerror(errno));
			failures++;
			continue;
		}
		if (write(fd, "x", 1) != 1)
			fprintf(stderr, "round %d: write: %s\n", i, strerror(errno));
		close(fd);
		if (ask(ctl, deny, reply, sizeof reply) || strncmp(reply, "ok ", 3)) {
			fprintf(stderr, "round %d: deny: %s", i, reply);
			failures++;
			continue;
		}
		if (ask(ctl, allow, reply, sizeof reply) || strncmp(reply, "ok ", 3)) {
			fprintf(stderr, "round %d: allow: %s", i, reply);
			failures++;
		}
	}
	printf("rounds=%d failures=%d\n", rounds, failures);
	return failures ? 1 : 0;
}

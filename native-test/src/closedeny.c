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

#include "denyfs.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: closedeny MOUNT RELPATH ROUNDS\n");
		return 2;
	}
	char file[4096], deny[4200], allow[4200], reply[512];
	snprintf(file, sizeof file, "%s/%s", argv[1], argv[2]);
	snprintf(deny, sizeof deny, "deny %s", argv[2]);
	snprintf(allow, sizeof allow, "allow %s", argv[2]);
	int rounds = atoi(argv[3]), failures = 0;
	int ctl = denyfs_control_open(argv[1]);
	if (ctl < 0) {
		fprintf(stderr, "%s/%s: %s\n", argv[1], DENYFS_CONTROL_PATH, strerror(errno));
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
		if (denyfs_control_request(ctl, deny, reply, sizeof reply) != 0) {
			fprintf(stderr, "round %d: deny: %s\n", i, reply);
			failures++;
			continue;
		}
		if (denyfs_control_request(ctl, allow, reply, sizeof reply) != 0) {
			fprintf(stderr, "round %d: allow: %s\n", i, reply);
			failures++;
		}
	}
	printf("rounds=%d failures=%d\n", rounds, failures);
	return failures ? 1 : 0;
}

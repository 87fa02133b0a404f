/* ctlreq MOUNT REQUEST...: send one control request (the words joined by spaces) through libdenyfs
 * and print the reply line. Exit 0 for "ok", 1 for "err" (or no reply). No JVM start-up, so shell
 * tests can poll cheaply. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "denyfs.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ctlreq MOUNT REQUEST...\n");
		return 2;
	}
	char req[8192] = "", reply[8192] = "";
	for (int i = 2; i < argc; i++) {
		strncat(req, argv[i], sizeof req - strlen(req) - 2);
		if (i + 1 < argc)
			strncat(req, " ", sizeof req - strlen(req) - 1);
	}
	int fd = denyfs_control_open(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "%s/%s: %s\n", argv[1], DENYFS_CONTROL_PATH, strerror(errno));
		return 1;
	}
	int ok = denyfs_control_request(fd, req, reply, sizeof reply) == 0;
	if (!*reply)
		fprintf(stderr, "%s: no reply: %s\n", argv[1], strerror(errno));
	else
		printf("%s\n", reply);
	close(fd);
	return ok ? 0 : 1;
}

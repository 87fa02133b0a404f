/* ctlreq MOUNT REQUEST...: send one control request (the words joined by spaces) and print the
 * reply line. Exit 0 for "ok", 1 for "err". No JVM start-up, so shell tests can poll cheaply. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ctlreq MOUNT REQUEST...\n");
		return 2;
	}
	char path[4096], req[8192] = "", reply[8192];
	snprintf(path, sizeof path, "%s/.denyfs/control", argv[1]);
	for (int i = 2; i < argc; i++) {
		strncat(req, argv[i], sizeof req - strlen(req) - 2);
		strncat(req, i + 1 < argc ? " " : "\n", sizeof req - strlen(req) - 1);
	}
	int fd = open(path, O_RDWR);
	if (fd < 0 || write(fd, req, strlen(req)) < 0) {
		perror(path);
		return 1;
	}
	ssize_t n = read(fd, reply, sizeof reply - 1);
	if (n <= 0)
		return 1;
	reply[n] = '\0';
	fputs(reply, stdout);
	return strncmp(reply, "ok", 2) != 0;
}

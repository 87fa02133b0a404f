/* ctlquery MOUNT RELPATH: print the control file's reply to "query RELPATH" (no JVM start-up, so
 * shell tests can poll the count cheaply while they wait for the daemon to see an exec). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ctlquery MOUNT RELPATH\n");
		return 2;
	}
	char path[4096], req[4200], reply[256];
	snprintf(path, sizeof path, "%s/.denyfs/control", argv[1]);
	snprintf(req, sizeof req, "query %s\n", argv[2]);
	int fd = open(path, O_RDWR);
	if (fd < 0 || write(fd, req, strlen(req)) < 0) {
		perror(path);
		return 1;
	}
	ssize_t n = read(fd, reply, sizeof reply - 1);
	if (n <= 0)
		return 1;
	reply[n] = '\0';
	fputs(reply[n - 1] == '\n' ? (reply[n - 1] = '\0', reply) : reply, stdout);
	putchar('\n');
	return strncmp(reply, "ok", 2) != 0;
}

/* pollwait MOUNT REQUEST...: sends one control request (the words joined by spaces) on a handle
 * opened O_NONBLOCK, the way libdenyfs's clients wait without a daemon thread, and prints what each
 * step saw, one line each: the first read ("EAGAIN", or "READY" when the reply was there at once),
 * then, after an EAGAIN, poll(2)'s answer ("POLLIN"; "TIMEOUT" after 120 s), then the reply line.
 * Exit 0 when the reply is "ok", 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pollwait MOUNT REQUEST...\n");
		return 2;
	}
	char path[4096], req[8192] = "", reply[8192];
	snprintf(path, sizeof path, "%s/.denyfs/control", argv[1]);
	for (int i = 2; i < argc; i++) {
		strncat(req, argv[i], sizeof req - strlen(req) - 2);
		strncat(req, i + 1 < argc ? " " : "\n", sizeof req - strlen(req) - 1);
	}
	int fd = open(path, O_RDWR | O_NONBLOCK);
	if (fd < 0 || write(fd, req, strlen(req)) < 0) {
		perror(path);
		return 1;
	}
	ssize_t n = read(fd, reply, sizeof reply - 1);
	if (n < 0 && errno == EAGAIN) {
		puts("EAGAIN");
		fflush(stdout);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, 120000);
		puts(r == 1 && (p.revents & POLLIN) ? "POLLIN" : r == 0 ? "TIMEOUT" : "POLLERR");
		n = read(fd, reply, sizeof reply - 1);
	} else {
		puts("READY");
	}
	if (n <= 0) {
		perror("read");
		return 1;
	}
	reply[n] = '\0';
	fputs(reply, stdout);
	return strncmp(reply, "ok", 2) != 0;
}

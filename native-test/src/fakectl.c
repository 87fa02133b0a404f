/* fakectl LOGDIR REPLY... -- COMMAND [ARGS...]
 * A fake denyfs control file for testing libdenyfs-preload.so without a daemon: runs COMMAND with
 * DENYFS_CONTROL_FD naming one end of a socketpair and answers each request line on the other end
 * with the next REPLY (a "\n" is added; once they run out: "err EIO fakectl: no reply left").
 * Each request line is appended to LOGDIR/requests; the LEN raw bytes that follow an
 * "init LEN ..." line are saved to LOGDIR/image.N (N = 1, 2, ... per init request).
 * Exits with COMMAND's status (128+signal if killed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int fd;
static char buf[65536];
static size_t have, off;

/* one byte of the stream, or -1 at EOF */
static int next_byte(void)
{
	if (off == have) {
		ssize_t n;
		do
			n = read(fd, buf, sizeof buf);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;
		have = n;
		off = 0;
	}
	return (unsigned char)buf[off++];
}

int main(int argc, char **argv)
{
	int sep = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	if (sep < 2 || sep + 1 >= argc) {
		fprintf(stderr, "usage: fakectl LOGDIR REPLY... -- COMMAND [ARGS...]\n");
		return 2;
	}
	const char *logdir = argv[1];
	int next_reply = 2, images = 0;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		perror("socketpair");
		return 2;
	}
	pid_t child = fork();
	if (child == 0) {
		int keep = dup(sv[1]); /* without O_CLOEXEC */
		char num[16];
		snprintf(num, sizeof num, "%d", keep);
		setenv("DENYFS_CONTROL_FD", num, 1);
		execvp(argv[sep + 1], argv + sep + 1);
		perror(argv[sep + 1]);
		_exit(127);
	}
	close(sv[1]);
	fd = sv[0];
	char path[4096];
	snprintf(path, sizeof path, "%s/requests", logdir);
	FILE *log = fopen(path, "a");
	if (!log) {
		perror(path);
		return 2;
	}
	char line[8192];
	for (;;) {
		size_t len = 0;
		int c;
		while ((c = next_byte()) >= 0 && c != '\n')
			if (len < sizeof line - 1)
				line[len++] = c;
		if (c < 0)
			break;
		line[len] = '\0';
		fprintf(log, "%s\n", line);
		fflush(log);
		unsigned long long body = 0;
		if (sscanf(line, "init %llu", &body) == 1) {
			snprintf(path, sizeof path, "%s/image.%d", logdir, ++images);
			FILE *img = fopen(path, "w");
			for (unsigned long long i = 0; i < body; i++) {
				if ((c = next_byte()) < 0)
					break;
				if (img)
					putc(c, img);
			}
			if (img)
				fclose(img);
			if (c < 0)
				break;
		}
		char reply[4096];
		snprintf(reply, sizeof reply, "%s\n",
			 next_reply < sep ? argv[next_reply++] : "err EIO fakectl: no reply left");
		if (write(fd, reply, strlen(reply)) < 0)
			break;
	}
	fclose(log);
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ftrunc FILE SIZE: open FILE for write, ftruncate it to SIZE through that fd, and print what
 * happened at each step; the caller reads the control file in between to see the count. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ftrunc FILE SIZE\n");
		return 2;
	}
	int fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("opened\n");
	fflush(stdout);
	/* wait for the go-ahead on stdin, so the caller can check the count while we hold the fd */
	char go[8];
	if (!fgets(go, sizeof go, stdin))
		return 1;
	if (ftruncate(fd, atol(argv[2])) != 0) {
		fprintf(stderr, "ftruncate %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("truncated\n");
	fflush(stdout);
	if (!fgets(go, sizeof go, stdin))
		return 1;
	close(fd);
	return 0;
}

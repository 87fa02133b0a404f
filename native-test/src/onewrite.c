/* onewrite MOUNT PAYLOAD: opens MOUNT/.denyfs/control, writes the whole of the file PAYLOAD in ONE
 * write(2) from a page-aligned buffer (so FUSE cuts it into WRITEs at exact max_write multiples:
 * 128 KiB), then reads replies until none is pending and prints them. Exit 0 if the write was
 * taken whole; "short write N of M" and exit 1 otherwise. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: onewrite MOUNT PAYLOAD\n");
		return 2;
	}
	int in = open(argv[2], O_RDONLY);
	struct stat st;
	if (in < 0 || fstat(in, &st) != 0) {
		perror(argv[2]);
		return 2;
	}
	size_t len = (size_t)st.st_size;
	char *buf = aligned_alloc(4096, (len + 4095) / 4096 * 4096 + 4096);
	if (!buf || read(in, buf, len) != (ssize_t)len) {
		perror(argv[2]);
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/.denyfs/control", argv[1]);
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		perror(path);
		return 2;
	}
	ssize_t n = write(fd, buf, len);
	if (n != (ssize_t)len) {
		if (n < 0)
			perror("write");
		else
			printf("short write %zd of %zu\n", n, len);
		return 1;
	}
	char reply[65536];
	ssize_t got;
	while ((got = read(fd, reply, sizeof reply)) > 0)
		fwrite(reply, 1, (size_t)got, stdout);
	return 0;
}

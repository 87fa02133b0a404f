/* firmwareioctl FILE [rw]: open FILE read-only (or read-write with "rw") and issue
 * DENYFS_IOC_FIRMWARE through libdenyfs's denyfs_firmware(); print "ok BYTES" or "err ERRNO".
 * Exit 0 for ok, 1 for err. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "denyfs.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: firmwareioctl FILE [rw]\n");
		return 2;
	}
	int fd = open(argv[1], argc > 2 && !strcmp(argv[2], "rw") ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	int64_t bytes = 0;
	if (denyfs_firmware(fd, &bytes) != 0) {
		const char *name = denyfs_errno_name(errno);
		printf("err %s\n", name ? name : strerror(errno));
		return 1;
	}
	printf("ok %" PRId64 "\n", bytes);
	close(fd);
	return 0;
}

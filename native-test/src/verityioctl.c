/* verityioctl FILE ro|wo|rw [enable|measure|measure-short]: open FILE with that access mode and issue
 * FS_IOC_ENABLE_VERITY (SHA-256, 4 KiB blocks, no salt) or FS_IOC_MEASURE_VERITY (64 bytes of room, or
 * 16 with measure-short), as fsverity-utils would; print "ok" (with the digest size for measure) or
 * "err ERRNO". The fd's access mode is what fsverity-utils cannot vary. Exit 0 for ok, 1 for err. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fsverity.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "denyfs.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: verityioctl FILE ro|wo|rw enable|measure|measure-short\n");
		return 2;
	}
	int mode = !strcmp(argv[2], "wo") ? O_WRONLY : !strcmp(argv[2], "rw") ? O_RDWR : O_RDONLY;
	int fd = open(argv[1], mode);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	int rc;
	struct {
		struct fsverity_digest d;
		unsigned char room[64];
	} digest = {0};
	if (!strcmp(argv[3], "enable")) {
		struct fsverity_enable_arg arg = {0};
		arg.version = 1;
		arg.hash_algorithm = FS_VERITY_HASH_ALG_SHA256;
		arg.block_size = 4096;
		rc = ioctl(fd, FS_IOC_ENABLE_VERITY, &arg);
	} else {
		digest.d.digest_size = !strcmp(argv[3], "measure-short") ? 16 : 64;
		rc = ioctl(fd, FS_IOC_MEASURE_VERITY, &digest);
	}
	if (rc != 0) {
		const char *name = denyfs_errno_name(errno);
		printf("err %s\n", name ? name : strerror(errno));
		return 1;
	}
	if (!strcmp(argv[3], "enable"))
		printf("ok\n");
	else
		printf("ok %u %u\n", digest.d.digest_algorithm, digest.d.digest_size);
	close(fd);
	return 0;
}

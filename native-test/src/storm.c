/* storm MOUNT NPROC ROUNDS NFILES
 * NPROC processes hammer NFILES files (f0..fN-1 under MOUNT, which must exist) at once with write
 * opens, ioctl denies (some dropped by close instead of allow), control-file denies and exclusive
 * denies. Every tenth process never stops and is killed with SIGKILL while holding whatever it
 * holds. ETXTBSY is an expected answer; any other failure is counted as unexpected.
 * Prints "procs=N granted=N etxtbsy=N unexpected=N killed=N"; exit 0 only if unexpected is 0. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "denyfs.h"

struct tally { long granted, etxtbsy, unexpected; };

static void note(struct tally *t, int rc, const char *what)
{
	if (rc == 0)
		t->granted++;
	else if (errno == ETXTBSY)
		t->etxtbsy++;
	else {
		t->unexpected++;
		fprintf(stderr, "pid %d: %s: %s\n", getpid(), what, strerror(errno));
	}
}

static void worker(const char *mount, int id, int rounds, int nfiles, struct tally *t)
{
	char file[4096], rel[64], req[128], reply[256];
	int ctl = denyfs_control_open(mount);
	if (ctl < 0) {
		t->unexpected++;
		return;
	}
	for (int r = 0; rounds < 0 || r < rounds; r++) {
		snprintf(rel, sizeof rel, "f%d", (r + id) % nfiles);
		snprintf(file, sizeof file, "%s/%s", mount, rel);
		int fd;
		switch ((r * 7 + id) % 4) {
		case 0:
			fd = open(file, O_WRONLY);
			note(t, fd < 0 ? -1 : 0, "open for write");
			if (fd >= 0) {
				if (write(fd, "x", 1) != 1)
					note(t, -1, "write");
				close(fd);
			}
			break;
		case 1:
			fd = open(file, O_RDONLY);
			if (fd < 0) {
				note(t, -1, "open");
				break;
			}
			int rc = denyfs_deny(fd, NULL);
			note(t, rc, "ioctl deny");
			if (rc == 0 && r % 3)
				note(t, denyfs_allow(fd, NULL), "ioctl allow");
			close(fd); /* with r % 3 == 0 the close gives the deny back */
			break;
		case 2:
			snprintf(req, sizeof req, "deny %s", rel);
			rc = denyfs_control_request(ctl, req, reply, sizeof reply);
			note(t, rc, "control deny");
			if (rc == 0) {
				snprintf(req, sizeof req, "allow %s", rel);
				note(t, denyfs_control_request(ctl, req, reply, sizeof reply), "control allow");
			}
			break;
		default:
			fd = open(file, O_RDONLY);
			if (fd < 0) {
				note(t, -1, "open");
				break;
			}
			note(t, denyfs_xdeny(fd, NULL), "ioctl xdeny");
			close(fd);
		}
	}
	close(ctl);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: storm MOUNT NPROC ROUNDS NFILES\n");
		return 2;
	}
	int nproc = atoi(argv[2]), rounds = atoi(argv[3]), nfiles = atoi(argv[4]);
	struct tally *tallies = mmap(NULL, sizeof(struct tally) * nproc, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t *pids = calloc(nproc, sizeof *pids);
	int killed = 0;
	for (int i = 0; i < nproc; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			worker(argv[1], i, i % 10 == 0 ? -1 : rounds, nfiles, &tallies[i]);
			_exit(0);
		}
	}
	for (int i = 0; i < nproc; i++)
		if (i % 10)
			waitpid(pids[i], NULL, 0);
	for (int i = 0; i < nproc; i += 10) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
		killed++;
	}
	struct tally sum = {0, 0, 0};
	for (int i = 0; i < nproc; i++) {
		sum.granted += tallies[i].granted;
		sum.etxtbsy += tallies[i].etxtbsy;
		sum.unexpected += tallies[i].unexpected;
	}
	printf("procs=%d granted=%ld etxtbsy=%ld unexpected=%ld killed=%d\n", nproc, sum.granted, sum.etxtbsy,
	       sum.unexpected, killed);
	return sum.unexpected != 0;
}

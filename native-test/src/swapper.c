/* swapper MODE A B: the attacker of the path-race tests. Swaps two names as fast as it can until
 * SIGTERM, each swap atomic, so a path through A names one file, then the other:
 *   exchange A B  renameat2(A, B, RENAME_EXCHANGE): A and B trade places (works for a directory
 *                 and a symlink, which rename(2) cannot swap over each other)
 *   symlink L T1:T2  L is a symlink, atomically replaced (symlink L.swap, then rename over L) to
 *                 point at T1, then T2, then T1...
 * Prints "ready" once the first swap is done, and "swaps=N" when told to stop. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int swap_once(const char *mode, const char *a, const char *b, long n)
{
	if (!strcmp(mode, "exchange"))
		return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
	char tmp[4096], target[4096];
	const char *colon = strchr(b, ':');
	if (!colon || snprintf(tmp, sizeof tmp, "%s.swap", a) >= (int)sizeof tmp)
		return -1;
	if (n % 2 == 0)
		snprintf(target, sizeof target, "%.*s", (int)(colon - b), b);
	else
		snprintf(target, sizeof target, "%s", colon + 1);
	unlink(tmp);
	if (symlink(target, tmp) != 0)
		return -1;
	return rename(tmp, a);
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "exchange") && strcmp(argv[1], "symlink"))) {
		fprintf(stderr, "usage: swapper exchange A B | swapper symlink LINK TARGET1:TARGET2\n");
		return 2;
	}
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
	long n = 0;
	while (!stop) {
		if (swap_once(argv[1], argv[2], argv[3], n) != 0) {
			perror(argv[2]);
			return 1;
		}
		if (n++ == 0) {
			puts("ready");
			fflush(stdout);
		}
	}
	printf("swaps=%ld\n", n);
	return 0;
}

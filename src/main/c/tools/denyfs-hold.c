/* denyfs-hold - 'denyfs hold': deny writes to FILE while COMMAND runs, as flock(1) locks.
 *
 * The deny is taken on a control handle (libdenyfs) that this process keeps open, close-on-exec,
 * while COMMAND runs as its child, so the deny ends when hold ends, even by SIGKILL: the daemon
 * allows every deny of a handle when the handle is released. One process, no JVM: shell scripts
 * call this in loops. See usage() for the options and exit statuses. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "denyfs.h"

#ifndef DENYFS_VERSION
#define DENYFS_VERSION "(development build)"
#endif

enum { EXIT_USAGE = 2, EXIT_REFUSED = 75, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

static const char *prog = "denyfs hold";

static void usage(void)
{
	printf("Usage: denyfs hold [OPTIONS] FILE [--] COMMAND [ARGUMENTS...]\n"
	       "       denyfs hold [OPTIONS] FILE -c 'COMMAND LINE'\n"
	       "\n"
	       "Deny writes to FILE while COMMAND runs, as flock(1) locks a file while a command runs.\n"
	       "\n"
	       "FILE is any file on a denyfs mount; hold finds the mount and its control file itself.\n"
	       "The deny is taken on a control handle that hold keeps open (COMMAND does not inherit it)\n"
	       "until COMMAND exits, so it ends with hold, even if hold is killed with SIGKILL. While it\n"
	       "lasts, opening FILE, or any hard link to it, for write fails with 'Text file busy', and\n"
	       "other denies stack on it unless one of them is exclusive.\n"
	       "\n"
	       "Options:\n"
	       "  -x, --exclusive        take an exclusive deny (exclusive_deny_write_access): refused\n"
	       "                         also while anybody else denies FILE, not only while it is\n"
	       "                         open for write\n"
	       "  -w, --wait SECONDS     retry a refused deny for up to SECONDS (a decimal number; 'inf'\n"
	       "                         waits forever), then give up with the conflict exit code\n"
	       "  -n, --nonblock         fail at once if the deny is refused: the default, as the kernel\n"
	       "                         never waits for a deny; cancels an earlier --wait\n"
	       "  -E, --conflict-exit-code N\n"
	       "                         the exit status when the deny is refused (default 75, EX_TEMPFAIL)\n"
	       "  -c, --command 'LINE'   run LINE with 'sh -c' instead of COMMAND [ARGUMENTS...]\n"
	       "  -h, --help             print this help and exit\n"
	       "  -V, --version          print the version and exit\n"
	       "\n"
	       "Options come before FILE; everything after FILE (and an optional '--') is the command.\n"
	       "\n"
	       "Waiting: the kernel never waits for a deny (deny_write_access() fails with ETXTBSY at\n"
	       "once), and neither does denyfs. --wait is a user-space convenience: hold retries,\n"
	       "5 ms after the first refusal, doubling to at most 100 ms between attempts, until the\n"
	       "deny is granted or SECONDS have passed. Retrying is not queueing: a writer that opens\n"
	       "FILE between two attempts gets in first.\n"
	       "\n"
	       "Signals: SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1 and SIGUSR2 sent to hold with kill(1)\n"
	       "are passed on to COMMAND, and hold exits when COMMAND does. A Ctrl-C at the terminal\n"
	       "reaches COMMAND directly, as it is in hold's process group.\n"
	       "\n"
	       "Exit status:\n"
	       "  COMMAND's own status, or 128+N if signal N killed it\n"
	       "  75   the deny was refused (ETXTBSY; with --wait: not granted in time), with\n"
	       "       'denyfs: FILE: Text file busy' on stderr; -E changes the number\n"
	       "  126  COMMAND could not be run; 127 COMMAND was not found\n"
	       "  1    other errors: FILE missing, not on a denyfs mount, not readable by the caller\n"
	       "  2    bad usage\n"
	       "\n"
	       "Examples:\n"
	       "  denyfs hold /mnt/denyfs/modules/x.ko -- sha256sum /mnt/denyfs/modules/x.ko\n"
	       "  denyfs hold -x -w 10 /mnt/denyfs/db -c './backup.sh && echo done'\n"
	       "  denyfs hold -n -E 3 /mnt/denyfs/app.bin true || echo 'app.bin is open for write'\n"
	       "\n"
	       "See also: denyfs ctl --help (one request: query, deny, holders, status), flock(1).\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'denyfs hold --help' for more information.\n");
	return EXIT_USAGE;
}

/* getopt leaves the unknown character in optopt, the whole word (maybe "-xq") in argv */
static int unknown_option(const char *word)
{
	char name[3] = {'-', (char)optopt, '\0'};
	return usage_error("unknown option '%s'", optopt ? name : word);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One deny request, retried while refused with ETXTBSY and time is left. 0 or -errno. */
static int deny(int ctl, const char *verb, const char *rel, double wait_seconds)
{
	char request[PATH_MAX + 16], reply[4096];
	if (snprintf(request, sizeof request, "%s %s", verb, rel) >= (int)sizeof request)
		return -ENAMETOOLONG;
	double deadline = now_seconds() + wait_seconds;
	long pause_ms = 5;
	for (;;) {
		if (denyfs_control_request(ctl, request, reply, sizeof reply) == 0)
			return 0;
		int err = errno;
		if (err != ETXTBSY || now_seconds() >= deadline)
			return -err;
		double left = deadline - now_seconds();
		double pause = fmin(pause_ms / 1e3, left > 0 ? left : 0);
		struct timespec ts = {(time_t)pause, (long)((pause - (time_t)pause) * 1e9)};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			; /* the retry interval of --wait, documented in usage() */
		pause_ms = pause_ms * 2 > 100 ? 100 : pause_ms * 2;
	}
}

static volatile sig_atomic_t child_pid;

/* Passes a signal sent with kill(2) on to COMMAND. One from the terminal (si_code SI_KERNEL)
 * reached COMMAND already: it shares hold's process group. */
static void forward(int sig, siginfo_t *info, void *context)
{
	(void)context;
	if (child_pid > 0 && info->si_code <= 0)
		kill(child_pid, sig);
}

static const int forwarded[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

static int run(char **command)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigset_t block, old;
	sigemptyset(&block);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	/* no signal may arrive between fork and child_pid being set without being forwarded */
	sigprocmask(SIG_BLOCK, &block, &old);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &sa, NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		struct sigaction dfl = {0};
		dfl.sa_handler = SIG_DFL;
		for (size_t i = 0; i < NFORWARDED; i++)
			sigaction(forwarded[i], &dfl, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(command[0], command);
		int err = errno;
		fprintf(stderr, "denyfs: %s: %s\n", command[0], err == ENOENT ? "command not found" : strerror(err));
		_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
	}
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid: %s\n", prog, strerror(errno));
			return 1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int parse_seconds(const char *arg, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || isnan(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_exit_code(const char *arg, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > 255)
		return -1;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"exclusive", no_argument, NULL, 'x'},
		{"wait", required_argument, NULL, 'w'},
		{"timeout", required_argument, NULL, 'w'}, /* flock's old name */
		{"nonblock", no_argument, NULL, 'n'},
		{"conflict-exit-code", required_argument, NULL, 'E'},
		{"command", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int exclusive = 0, conflict = EXIT_REFUSED;
	double wait_seconds = 0;
	const char *command_line = NULL;
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, "+:xw:nE:c:hV", options, NULL)) != -1;) {
		switch (c) {
		case 'x': exclusive = 1; break;
		case 'w':
			if (parse_seconds(optarg, &wait_seconds) != 0)
				return usage_error("--wait: '%s' is not a number of seconds (a decimal, or inf)", optarg);
			break;
		case 'n': wait_seconds = 0; break;
		case 'E':
			if (parse_exit_code(optarg, &conflict) != 0)
				return usage_error("--conflict-exit-code: '%s' is not an exit status (0-255)", optarg);
			break;
		case 'c': command_line = optarg; break;
		case 'h': usage(); return 0;
		case 'V': printf("denyfs hold %s\n", DENYFS_VERSION); return 0;
		case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: return unknown_option(argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "missing FILE and COMMAND");
	const char *file = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	else if (optind < argc && (!strcmp(argv[optind], "-c") || !strcmp(argv[optind], "--command"))) {
		if (command_line)
			return usage_error("%s", "-c given twice");
		if (optind + 2 != argc)
			return usage_error("%s", "-c takes exactly one COMMAND LINE, quoted");
		command_line = argv[optind + 1];
		optind = argc;
	}
	if (command_line && optind < argc)
		return usage_error("unexpected '%s': -c takes the whole command as one argument", argv[optind]);
	if (!command_line && optind >= argc)
		return usage_error("missing COMMAND after %s", file);
	char *shell[] = {"sh", "-c", (char *)command_line, NULL};
	char **command = command_line ? shell : argv + optind;

	char mount[PATH_MAX], rel[PATH_MAX];
	if (denyfs_mount_of(file, mount, sizeof mount, rel, sizeof rel) != 0) {
		fprintf(stderr, "denyfs: %s: %s\n", file, errno == ENOTTY ? "not on a denyfs mount" : strerror(errno));
		return 1;
	}
	int ctl = denyfs_control_open(mount);
	if (ctl < 0) {
		fprintf(stderr, "denyfs: %s/%s: %s\n", mount, DENYFS_CONTROL_PATH, strerror(errno));
		return 1;
	}
	int err = deny(ctl, exclusive ? DENYFS_VERB_XDENY : DENYFS_VERB_DENY, rel, wait_seconds);
	if (err) {
		fprintf(stderr, "denyfs: %s: %s\n", file, strerror(-err));
		return err == -ETXTBSY ? conflict : 1;
	}
	return run(command);
}

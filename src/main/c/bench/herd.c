/* denyfs-herd - start N workers at the same instant, as udev forks one worker per uevent.
 *
 *   denyfs-herd [--logs DIR] [--each FILE] N -- COMMAND [ARGS...]
 *   denyfs-herd [--logs DIR] [--each FILE] --libkmod MOUNT --release R [--kmod31] N -- MODALIAS...
 *
 * All N children are forked first and wait on one pipe; closing its write end releases them
 * together, so the herd measures what the workers do, not how fast they were started. Each child
 * gets DENYFS_HERD_WORKER=I (0..N-1) in its environment and its stdout and stderr in
 * DIR/worker-I.log (or /dev/null without --logs). With --each, worker I's arguments that read
 * exactly @EACH@ become line I of FILE (at least N lines): one device event per worker, as udev's
 * coldplug has, where the plain form gives every worker the same one.
 *
 * The first form executes COMMAND in each worker. With --libkmod, workers are what udevd's are:
 * the launcher creates one libkmod context over MOUNT/lib/modules/R and loads its indexes (udevd's
 * builtin kmod init), and every worker is a fork of it that probes a MODALIAS in-process as udev's
 * `kmod load` does (kmod_worker.c), without an exec: worker I takes MODALIAS number I modulo their
 * count, so one alias makes a herd of identical probes and N aliases one probe per device. Run it
 * with libdenyfs-preload.so in LD_PRELOAD and DENYFS_MOUNT=MOUNT, so that libkmod's module syscalls
 * and its /sys/module and /proc/modules reads reach the mount. --kmod31 takes kmod 31+'s route for
 * compressed files (finit_module with MODULE_INIT_COMPRESSED_FILE when /sys/module/compression
 * matches), which libkmod 30 cannot; without it libkmod 30 decompresses them and calls init_module.
 *
 * stderr: "herd: started N", then "herd: done K/N" as workers end (at most every 100 ms, and the
 * last one always), for a progress display.
 * stdout, once all have ended, tab-separated:
 *   release_ns   T                   CLOCK_MONOTONIC when the workers were released
 *   fork_ms      M                   how long forking all of them took
 *   worker       I PID EXIT SIGNAL END_US   one line per worker: exit status (or -1), the signal
 *                                    that killed it (or 0), microseconds from release to its end
 * Exit status: 0 when every worker ran (whatever they returned), 1 when the herd itself failed
 * (fork, pipe, the libkmod context, or the command could not be executed: exit 127 from a worker
 * counts as such), 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kmod_worker.h"


struct worker {
	pid_t pid;
	int exit;
	int signal;
	long long end_us;
};

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: denyfs-herd [--logs DIR] [--each FILE] N -- COMMAND [ARGS...]\n"
			"       denyfs-herd [--logs DIR] [--each FILE] --libkmod MOUNT --release R [--kmod31] N -- MODALIAS...\n");
	exit(2);
}

/* In the child: wait for the release, then become the command (or, udev-style, probe). Never returns. */
static void run_worker(int index, int gate, pid_t launcher, const char *logs, int libkmod, char **cmd)
{
	char path[4096], id[16];
	/* The pipe's end also comes when the launcher dies: a worker must never outlive it and run
	 * against a mount that is being taken down. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != launcher)
		_exit(127);
	snprintf(id, sizeof(id), "%d", index);
	setenv("DENYFS_HERD_WORKER", id, 1);
	if (logs)
		snprintf(path, sizeof(path), "%s/worker-%d.log", logs, index);
	int out = open(logs ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		fprintf(stderr, "herd: worker %d: %s: %s\n", index, logs ? path : "/dev/null", strerror(errno));
		_exit(127);
	}
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	close(out);
	char byte;
	while (read(gate, &byte, 1) < 0 && errno == EINTR)
		;
	close(gate);
	if (libkmod) {
		int aliases = 0;
		while (cmd[aliases])
			aliases++;
		fflush(stdout);
		exit(kmod_worker_probe(cmd[index % aliases]));
	}
	execvp(cmd[0], cmd);
	fprintf(stderr, "herd: %s: %s\n", cmd[0], strerror(errno));
	_exit(127);
}

/* --each FILE: its first n lines, newline-stripped, or NULL with a message naming the file. */
static char **read_each(const char *file, long n)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "herd: %s: %s\n", file, strerror(errno));
		return NULL;
	}
	char **lines = calloc(n, sizeof(*lines));
	size_t cap = 0;
	long k = 0;
	for (; lines && k < n; k++) {
		char *line = NULL;
		ssize_t len = getline(&line, &cap, f);
		cap = 0;
		if (len < 0) {
			free(line);
			break;
		}
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = 0;
		lines[k] = line;
	}
	fclose(f);
	if (!lines || k < n) {
		fprintf(stderr, "herd: %s: %ld line(s), %ld workers need one each\n", file, k, n);
		return NULL;
	}
	return lines;
}

/* Worker I's command: cmd with every "@EACH@" argument replaced by its line. */
static void substitute_each(char **cmd, const char *line)
{
	for (int a = 0; cmd[a]; a++)
		if (strcmp(cmd[a], "@EACH@") == 0)
			cmd[a] = (char *)line;
}

static void kill_all(struct worker *w, int n)
{
	for (int i = 0; i < n; i++)
		if (w[i].pid > 0)
			kill(w[i].pid, SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	const char *logs = NULL, *libkmod = NULL, *kernel_release = NULL, *each_file = NULL;
	int kmod31 = 0;
	int i = 1;
	for (; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--logs") == 0)
			logs = argv[i + 1];
		else if (strcmp(argv[i], "--each") == 0)
			each_file = argv[i + 1];
		else if (strcmp(argv[i], "--libkmod") == 0)
			libkmod = argv[i + 1];
		else if (strcmp(argv[i], "--release") == 0)
			kernel_release = argv[i + 1];
		else if (strcmp(argv[i], "--kmod31") == 0)
			kmod31 = 1, i--;
		else
			break;
	}
	if ((libkmod == NULL) != (kernel_release == NULL) || (kmod31 && !libkmod))
		usage();
	if (i + 2 >= argc || strcmp(argv[i + 1], "--") != 0)
		usage();
	char *end;
	long n = strtol(argv[i], &end, 10);
	if (*end || n < 1 || n > 100000)
		usage();
	char **cmd = argv + i + 2;
	char **each = NULL;
	if (each_file && !(each = read_each(each_file, n)))
		return 1;
	if (libkmod)
		kmod_worker_prepare(libkmod, kernel_release, kmod31 ? KMOD_ROUTE_KMOD31 : KMOD_ROUTE_KMOD30);

	struct worker *w = calloc(n, sizeof(*w));
	int gate[2];
	if (!w || pipe2(gate, O_CLOEXEC) != 0) {
		perror("herd: pipe");
		return 1;
	}
	pid_t self = getpid();
	long long fork_start = now_ns();
	for (int k = 0; k < n; k++) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "herd: fork of worker %d of %ld: %s\n", k, n, strerror(errno));
			kill_all(w, k); /* before the pipe closes, which would release them */
			close(gate[1]);
			return 1;
		}
		if (pid == 0) {
			close(gate[1]);
			if (each)
				substitute_each(cmd, each[k]);
			run_worker(k, gate[0], self, logs, libkmod != NULL, cmd);
		}
		w[k].pid = pid;
	}
	close(gate[0]);
	long long release = now_ns();
	close(gate[1]); /* every child's read() returns 0 now */
	fprintf(stderr, "herd: started %ld\n", n);

	int done = 0, could_not_exec = 0;
	long long last_report = 0;
	while (done < n) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			perror("herd: waitpid");
			return 1;
		}
		long long t = now_ns();
		for (int k = 0; k < n; k++) {
			if (w[k].pid != pid)
				continue;
			w[k].exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			w[k].signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
			w[k].end_us = (t - release) / 1000;
			could_not_exec += w[k].exit == 127;
			done++;
			break;
		}
		if (done == n || t - last_report >= 100000000LL) {
			fprintf(stderr, "herd: done %d/%ld\n", done, n);
			last_report = t;
		}
	}
	printf("release_ns\t%lld\n", release);
	printf("fork_ms\t%.3f\n", (release - fork_start) / 1e6);
	for (int k = 0; k < n; k++)
		printf("worker\t%d\t%d\t%d\t%d\t%lld\n", k, (int)w[k].pid, w[k].exit, w[k].signal, w[k].end_us);
	if (could_not_exec) {
		fprintf(stderr, "herd: %d worker(s) could not run %s (exit 127)\n", could_not_exec, cmd[0]);
		return 1;
	}
	return 0;
}

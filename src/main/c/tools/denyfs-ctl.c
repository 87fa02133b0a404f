/* denyfs-ctl - 'denyfs ctl': one control request for a file on a denyfs mount, its reply printed
 * as text or JSON. One process, no JVM: shell scripts poll with it. See usage(). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "denyfs.h"

#ifndef DENYFS_VERSION
#define DENYFS_VERSION "(development build)"
#endif

enum { EXIT_ERR = 1, EXIT_USAGE = 2 };

static const char *prog = "denyfs ctl";
static const char *const verbs[] = {
	DENYFS_VERB_QUERY, DENYFS_VERB_DENY, DENYFS_VERB_XDENY, DENYFS_VERB_ALLOW,
	DENYFS_VERB_HOLDERS, DENYFS_VERB_STATUS, DENYFS_VERB_FIRMWARE,
};

static void usage(void)
{
	printf("Usage: denyfs ctl [--json] VERB FILE\n"
	       "       denyfs ctl [--json] status [FILE]\n"
	       "\n"
	       "Send one request to the control file of the denyfs mount that holds FILE, and print the\n"
	       "reply. FILE may be named through any path, relative or absolute, that reaches the mount.\n"
	       "\n"
	       "Verbs:\n"
	       "  query     FILE's signed write count: N open writers, or -N deniers (a running program,\n"
	       "            a module load, a deny held by 'denyfs hold' or a control handle)\n"
	       "  deny      deny_write_access() on FILE; refused with ETXTBSY while FILE is open for write\n"
	       "  xdeny     exclusive_deny_write_access(): granted only when nobody writes or denies\n"
	       "  allow     give back a deny of this handle (there is none: see below)\n"
	       "  holders   who holds FILE's count: KIND (write, deny, xdeny, exec, module,\n"
	       "            module-xdeny, verity, firmware, xread), PID, UID, SINCE (UTC) and the\n"
	       "            holder's COMMAND line\n"
	       "  status    the daemon's own figures for the mount (FILE defaults to '.')\n"
	       "  firmware  request_firmware()'s read of FILE: writes denied for the read only;\n"
	       "            ETXTBSY while FILE is open for write; prints the bytes read\n"
	       "\n"
	       "A deny lasts only as long as the control handle, that is until this command exits, so\n"
	       "'ctl deny' alone only tests whether a deny would be granted now; to keep a deny while\n"
	       "something runs, use 'denyfs hold'.\n"
	       "\n"
	       "Options:\n"
	       "  -j, --json     print the reply as one JSON object:\n"
	       "                   query, deny, xdeny, allow: {\"mount\", \"path\", \"count\"}\n"
	       "                   firmware: {\"mount\", \"path\", \"bytes\"}\n"
	       "                   holders: {\"mount\", \"path\", \"holders\": [{\"kind\", \"pid\", \"uid\",\n"
	       "                            \"since\", \"command\"}, ...]}\n"
	       "                   status: {\"mount\", then every field of the reply: \"pid\", \"inodes\",\n"
	       "                           \"sessions\", ...; numbers as numbers}\n"
	       "                   a refusal: {\"mount\", \"path\", \"error\": {\"errno\", \"message\"}}\n"
	       "  -h, --help     print this help and exit\n"
	       "  -V, --version  print the version and exit\n"
	       "\n"
	       "Output without --json: the reply line, 'ok VALUE' or 'err ERRNO message'; for holders a\n"
	       "table with a header line.\n"
	       "\n"
	       "Exit status:\n"
	       "  0  the reply was ok\n"
	       "  1  the reply was err (and 'denyfs: FILE: message' on stderr), or FILE is missing or\n"
	       "     not on a denyfs mount\n"
	       "  2  bad usage\n"
	       "\n"
	       "Examples:\n"
	       "  denyfs ctl query /mnt/denyfs/prog\n"
	       "  denyfs ctl holders /mnt/denyfs/lib/x.ko\n"
	       "  denyfs ctl --json status /mnt/denyfs | jq .control_denies\n"
	       "\n"
	       "See also: denyfs hold --help; README.md, 'The control file', for the protocol.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'denyfs ctl --help' for more information.\n");
	return EXIT_USAGE;
}

/* ------------------------------------------------------------------ JSON */

static size_t utf8_length(const unsigned char *s)
{
	int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD, so the output is always valid JSON. */
static void json_string(const char *text)
{
	putchar('"');
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s < 0x20)
			printf("\\u%04x", *s);
		else if (*s < 0x80)
			putchar(*s);
		else {
			size_t n = utf8_length(s);
			if (n == 0) {
				fputs("\\ufffd", stdout);
			} else {
				fwrite(s, 1, n, stdout);
				s += n - 1;
			}
		}
	}
	putchar('"');
}

static int is_integer(const char *s)
{
	if (*s == '-')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s) && (s[0] != '0' || s[1] == '\0');
}

static void json_value(const char *text)
{
	if (is_integer(text))
		fputs(text, stdout);
	else
		json_string(text);
}

static void json_key(const char *key)
{
	json_string(key);
	putchar(':');
}

/* ------------------------------------------------------------------ holders */

/* "/usr/lib/denyfs/native/denyfs-hold F -- cmd" reads "denyfs hold F -- cmd": the launcher runs the
 * tools directly (from sh, which cannot set argv[0]), and a user typed "denyfs hold". */
static void as_denyfs_command(char *line, size_t size)
{
	size_t first = strcspn(line, " ");
	const char *base = line;
	for (size_t i = 0; i < first; i++)
		if (line[i] == '/')
			base = line + i + 1;
	size_t blen = line + first - base;
	if ((blen == 11 && strncmp(base, "denyfs-hold", 11) == 0) || (blen == 10 && strncmp(base, "denyfs-ctl", 10) == 0)) {
		/* "denyfs-hold" and "denyfs hold" are as long: drop the directory, then the dash */
		memmove(line, base, strlen(base) + 1);
		line[6] = ' ';
	}
	(void)size;
}

/* The holder's command line from /proc/PID/cmdline, "[comm]" for one without (a zombie), "-" if
 * the process is gone. */
static void command_of(int pid, char *out, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, out, size - 1);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		snprintf(out, size, "-");
		return;
	}
	while (n > 0 && out[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (out[i] == '\0')
			out[i] = ' ';
	out[n] = '\0';
	if (n > 0) {
		as_denyfs_command(out, size);
		return;
	}
	char comm[64] = "";
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, comm, sizeof comm - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(out, size, "-");
		return;
	}
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(out, size, "[%s]", comm);
}

struct row {
	struct denyfs_holder h;
	char pid[16], uid[16];
	char command[1024];
};

/* The entries of a holders reply, with their commands; NULL with errno on a malformed reply. */
static struct row *holders_of(const char *reply, size_t *count)
{
	struct row *rows = NULL;
	size_t n = 0, cap = 0;
	struct denyfs_holder h;
	for (const char *cursor = reply;;) {
		int got = denyfs_holder_next(&cursor, &h);
		if (got < 0) {
			free(rows);
			return NULL;
		}
		if (got == 0)
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			struct row *more = realloc(rows, cap * sizeof *rows);
			if (!more) {
				free(rows);
				return NULL;
			}
			rows = more;
		}
		rows[n].h = h;
		snprintf(rows[n].pid, sizeof rows[n].pid, "%d", h.pid);
		snprintf(rows[n].uid, sizeof rows[n].uid, "%d", h.uid);
		command_of(h.pid, rows[n].command, sizeof rows[n].command);
		n++;
	}
	*count = n;
	return rows ? rows : calloc(1, sizeof *rows);
}

static void column(const char *text, size_t width, int last)
{
	if (last) {
		/* a command line may hold newlines or escapes: one row per holder, as ps(1) shows it */
		for (const char *c = text; *c; c++)
			putchar((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c);
		putchar('\n');
	} else {
		printf("%-*s", (int)width + 2, text);
	}
}

static void holders_table(const struct row *rows, size_t n)
{
	const char *head[5] = {"KIND", "PID", "UID", "SINCE", "COMMAND"};
	size_t width[5];
	for (int c = 0; c < 5; c++)
		width[c] = strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		const char *cell[4] = {rows[i].h.kind, rows[i].pid, rows[i].uid, rows[i].h.since};
		for (int c = 0; c < 4; c++)
			if (strlen(cell[c]) > width[c])
				width[c] = strlen(cell[c]);
	}
	for (int c = 0; c < 5; c++)
		column(head[c], width[c], c == 4);
	for (size_t i = 0; i < n; i++) {
		const char *cell[5] = {rows[i].h.kind, rows[i].pid, rows[i].uid, rows[i].h.since, rows[i].command};
		for (int c = 0; c < 5; c++)
			column(cell[c], width[c], c == 4);
	}
}

static void holders_json(const struct row *rows, size_t n)
{
	json_key("holders");
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		printf("%s{", i ? "," : "");
		json_key("kind");
		json_string(rows[i].h.kind);
		printf(",\"pid\":%d,\"uid\":%d,", rows[i].h.pid, rows[i].h.uid);
		json_key("since");
		json_string(rows[i].h.since);
		putchar(',');
		json_key("command");
		json_string(rows[i].command);
		putchar('}');
	}
	putchar(']');
}

/* ------------------------------------------------------------------ status */

/* "pid=N inodes=N ... reply_filter=on": every field, in order, numbers as numbers */
static void status_json(char *fields)
{
	for (char *save, *f = strtok_r(fields, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(f, '=');
		if (!eq)
			continue;
		*eq = '\0';
		putchar(',');
		json_key(f);
		json_value(eq + 1);
	}
}

/* ------------------------------------------------------------------ main */

static int known_verb(const char *verb)
{
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (!strcmp(verb, verbs[i]))
			return 1;
	return 0;
}

static char reply[1 << 20]; /* holders of a herd: a thousand entries and more; untouched pages cost nothing */

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int json = 0;
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, ":jhV", options, NULL)) != -1;) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': usage(); return 0;
		case 'V': printf("denyfs ctl %s\n", DENYFS_VERSION); return 0;
		default: {
			char name[3] = {'-', (char)optopt, '\0'};
			return usage_error("unknown option '%s'", optopt ? name : argv[optind - 1]);
		}
		}
	}
	if (optind >= argc)
		return usage_error("%s", "missing VERB");
	const char *verb = argv[optind++];
	if (!known_verb(verb))
		return usage_error("unknown verb '%s' (expected query, deny, xdeny, allow, holders, status or firmware)", verb);
	int status = !strcmp(verb, DENYFS_VERB_STATUS);
	if (optind >= argc && !status)
		return usage_error("missing FILE after %s", verb);
	const char *file = optind < argc ? argv[optind++] : ".";
	if (optind < argc)
		return usage_error("unexpected '%s' after FILE", argv[optind]);

	char mount[PATH_MAX], rel[PATH_MAX], request[PATH_MAX + 16];
	if (denyfs_mount_of(file, mount, sizeof mount, rel, sizeof rel) != 0) {
		fprintf(stderr, "denyfs: %s: %s\n", file, errno == ENOTTY ? "not on a denyfs mount" : strerror(errno));
		return EXIT_ERR;
	}
	int ctl = denyfs_control_open(mount);
	if (ctl < 0) {
		fprintf(stderr, "denyfs: %s/%s: %s\n", mount, DENYFS_CONTROL_PATH, strerror(errno));
		return EXIT_ERR;
	}
	if (status)
		snprintf(request, sizeof request, "%s", verb);
	else if (snprintf(request, sizeof request, "%s %s", verb, rel) >= (int)sizeof request)
		return usage_error("%s: name too long", file);
	int ok = denyfs_control_request(ctl, request, reply, sizeof reply) == 0;
	int err = errno;
	if (!ok && strncmp(reply, "err ", 4)) {
		fprintf(stderr, "denyfs: %s/%s: %s\n", mount, DENYFS_CONTROL_PATH, strerror(err));
		return EXIT_ERR;
	}
	const char *value = reply[2] == ' ' ? reply + 3 : "";

	struct row *rows = NULL;
	size_t nrows = 0;
	if (ok && !strcmp(verb, DENYFS_VERB_HOLDERS) && !(rows = holders_of(value, &nrows))) {
		fprintf(stderr, "denyfs: %s: unexpected holders reply '%s'\n", file, value);
		return EXIT_ERR;
	}
	if (!json) {
		if (rows)
			holders_table(rows, nrows);
		else
			puts(reply);
	} else {
		putchar('{');
		json_key("mount");
		json_string(mount);
		if (!status) {
			putchar(',');
			json_key("path");
			json_string(rel);
		}
		if (!ok) {
			const char *name = reply + 4, *message = name + strcspn(name, " ");
			char errno_name[32];
			snprintf(errno_name, sizeof errno_name, "%.*s", (int)(message - name), name);
			printf(",\"error\":{");
			json_key("errno");
			json_string(errno_name);
			putchar(',');
			json_key("message");
			json_string(*message ? message + 1 : "");
			putchar('}');
		} else if (rows) {
			putchar(',');
			holders_json(rows, nrows);
		} else if (status) {
			status_json((char *)value);
		} else {
			printf(!strcmp(verb, DENYFS_VERB_FIRMWARE) ? ",\"bytes\":" : ",\"count\":");
			json_value(value);
		}
		puts("}");
	}
	free(rows);
	if (!ok)
		fprintf(stderr, "denyfs: %s: %s\n", file, strerror(err));
	return ok ? 0 : EXIT_ERR;
}

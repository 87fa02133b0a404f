/* denyfs-loader - the native front end of 'denyfs insmod|modprobe|rmmod|lsmod'.
 *
 * A JVM costs ~0.4 s of CPU and ~58 MB per call; a herd of hundreds of loaders cannot afford that.
 * This program does the common case in a few hundred microseconds and a few hundred KB, with the
 * same algorithms, messages and exit codes as the Java library (org.denyfs.user.kmod, itself kmod 30's
 * tools and libkmod over the emulated kernel). Anything it does not cover - modprobe.d
 * configuration (a *.conf under ROOT's modprobe.d dirs, or -C), symbol: and built-in alias lookups,
 * compressed modules, options it does not know, modinfo - is handed to the Java CLI with execv, so
 * the behaviour is one and the same.
 *
 * Usage: denyfs-loader COMMAND ARGS... (or a link named insmod, modprobe, rmmod, lsmod).
 * The Java fallback: $DENYFS_JAR, else denyfs.jar next to this program's directory (target/).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "denyfs.h"
#include "denyfs-loader.h"

enum { L_EMERG = 0, L_CRIT = 2, L_ERR = 3, L_WARNING = 4, L_INFO = 6 };
enum { F_VERMAGIC = 1, F_MODVERSION = 2, F_IGNORE_LOADED = 8, F_DRY_RUN = 0x10, F_FAIL_ON_LOADED = 0x20 };

static const char *prog;
static int threshold = L_WARNING;
static char **orig_argv;
static char *mount_dir;

static void logp(int prio, const char *fmt, ...)
{
	if (prio > threshold)
		return;
	const char *n = prio == L_CRIT ? "FATAL" : prio == L_ERR ? "ERROR" : prio == L_WARNING ? "WARNING" : "INFO";
	fflush(stdout);
	fprintf(stderr, "%s: %s: ", prog, n);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* mod_strerror of kmod's insmod.c */
static const char *mod_strerror(int err)
{
	switch (err) {
	case ENOEXEC: return "Invalid module format";
	case ENOENT: return "Unknown symbol in module";
	case ESRCH: return "Module has wrong symbol version";
	case EINVAL: return "Invalid parameters";
	default: return strerror(err);
	}
}

/* Hands the whole command to the Java CLI. */
static void java_fallback(void)
{
	char jar[PATH_MAX], self[PATH_MAX];
	const char *env = getenv("DENYFS_JAR");
	if (env) {
		snprintf(jar, sizeof(jar), "%s", env);
	} else {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[n > 0 ? n : 0] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) *slash = '\0';
		slash = strrchr(self, '/');
		if (slash) *slash = '\0';
		snprintf(jar, sizeof(jar), "%s/denyfs.jar", self);
	}
	int argc = 0;
	while (orig_argv[argc]) argc++;
	char **args = calloc(argc + 5, sizeof(char *));
	int i = 0;
	args[i++] = "java";
	args[i++] = "-jar";
	args[i++] = jar;
	args[i++] = (char *)prog;
	for (int k = 1; k < argc; k++) args[i++] = orig_argv[k];
	execvp("java", args);
	fprintf(stderr, "%s: ERROR: cannot run java for the full implementation: %s\n", prog, strerror(errno));
	exit(1);
}

/* ---- the emulated kernel, through the mount ---- */
static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -errno;
	ssize_t n = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	if (n < 0) return -e;
	buf[n] = '\0';
	return (int)n;
}

static int need_mount(void)
{
	if (mount_dir == NULL) {
		fprintf(stderr, "%s: ERROR: no denyfs mount: set DENYFS_MOUNT or pass --mount\n", prog);
		exit(1);
	}
	return 0;
}

/* "live", "coming", "going", or "" if not loaded */
static const char *mod_initstate(const char *name, char *buf, size_t size)
{
	char p[PATH_MAX];
	need_mount();
	snprintf(p, sizeof(p), "%s/%s/%s/initstate", mount_dir, DENYFS_SYS_MODULE, name);
	if (read_small(p, buf, size) < 0) return "";
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int refcnt(const char *name)
{
	char p[PATH_MAX], buf[64];
	need_mount();
	snprintf(p, sizeof(p), "%s/%s/%s/refcnt", mount_dir, DENYFS_SYS_MODULE, name);
	int r = read_small(p, buf, sizeof(buf));
	return r < 0 ? r : atoi(buf);
}

/* finit_module(fd, params, flags): the FINIT ioctl on the module's own open file */
static int finit(int fd, const char *params, int kflags)
{
	need_mount();
	if (strlen(params) >= DENYFS_FINIT_PARAMS_MAX) return -EINVAL;
	return denyfs_finit(fd, mount_dir, params, kflags) < 0 ? -errno : 0;
}

/* delete_module(2) through the control file, with libdenyfs's client */
static int delete_module(const char *name, int flags)
{
	char req[256], reply[512];
	need_mount();
	int fd = denyfs_control_open(mount_dir);
	if (fd < 0) return -errno;
	snprintf(req, sizeof(req), "%s %s %d", DENYFS_VERB_DELETE, name, flags);
	int rc = denyfs_control_request(fd, req, reply, sizeof(reply)) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

/* ---- depmod's files ---- */
struct dep { char *name; char *path; char **deps; int ndeps; };
static struct dep *deps;
static int ndeps;
static char moddir[PATH_MAX];

static void modname(const char *path, char *out, size_t size)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t i;
	for (i = 0; i < size - 1 && b[i] && b[i] != '.'; i++) out[i] = b[i] == '-' ? '_' : b[i];
	out[i] = '\0';
}

static char *slurp(const char *file, size_t *len)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", moddir, file);
	FILE *f = fopen(p, "re");
	if (!f) return NULL;
	struct stat st;
	fstat(fileno(f), &st);
	char *buf = malloc(st.st_size + 1);
	size_t n = fread(buf, 1, st.st_size, f);
	fclose(f);
	buf[n] = '\0';
	if (len) *len = n;
	return buf;
}

static void load_deps(void)
{
	if (deps) return;
	char *buf = slurp("modules.dep", NULL);
	deps = calloc(1, sizeof(*deps));
	if (!buf) return;
	int cap = 1024;
	deps = calloc(cap, sizeof(*deps));
	for (char *save, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon || line[0] == '#') continue;
		*colon = '\0';
		if (ndeps == cap) deps = realloc(deps, (cap *= 2) * sizeof(*deps));
		struct dep *d = &deps[ndeps++];
		char n[256];
		modname(line, n, sizeof(n));
		d->name = strdup(n);
		d->path = line;
		d->deps = NULL;
		d->ndeps = 0;
		for (char *s2, *w = strtok_r(colon + 1, " \t", &s2); w; w = strtok_r(NULL, " \t", &s2)) {
			d->deps = realloc(d->deps, (d->ndeps + 1) * sizeof(char *));
			modname(w, n, sizeof(n));
			d->deps[d->ndeps++] = strdup(n);
		}
	}
}

static struct dep *find_dep(const char *name)
{
	load_deps();
	for (int i = 0; i < ndeps; i++)
		if (strcmp(deps[i].name, name) == 0) return &deps[i];
	return NULL;
}

static char *builtin_buf;

static void load_builtin(void)
{
	if (!builtin_buf) builtin_buf = slurp("modules.builtin", NULL);
	if (!builtin_buf) builtin_buf = "";
}

static int is_builtin(const char *name)
{
	load_builtin();
	char n[256];
	for (const char *l = builtin_buf; *l;) {
		const char *e = strchrnul(l, '\n');
		char line[PATH_MAX];
		snprintf(line, sizeof(line), "%.*s", (int)(e - l), l);
		modname(line, n, sizeof(n));
		if (line[0] && strcmp(n, name) == 0) return 1;
		l = *e ? e + 1 : e;
	}
	return 0;
}

static int in_kernel(const char *name)
{
	char b[32];
	return is_builtin(name) || strcmp(mod_initstate(name, b, sizeof(b)), "live") == 0;
}

/* libkmod's alias_normalize: '-' is '_' outside brackets (depmod indexes aliases this way too) */
static void normalize(const char *in, char *out, size_t size)
{
	int bracket = 0;
	size_t i;
	for (i = 0; in[i] && i < size - 1; i++) {
		char c = in[i];
		if (c == '[') bracket = 1;
		else if (c == ']') bracket = 0;
		else if (c == '-' && !bracket) c = '_';
		out[i] = c;
	}
	out[i] = '\0';
}

static char *alias_buf;

static void load_aliases(void)
{
	if (!alias_buf) alias_buf = slurp("modules.alias", NULL);
	if (!alias_buf) alias_buf = "";
}

/* kmod_module_new_from_lookup without modprobe.d, symbol: and built-in aliases (those go to Java) */
struct mod { char name[256]; int alias; };
static int lookup(const char *given, struct mod **out)
{
	char alias[PATH_MAX], npat[PATH_MAX];
	int n = 0;
	normalize(given, alias, sizeof(alias));
	*out = NULL;
	if (!strchr(alias, ':') && find_dep(alias)) {
		*out = calloc(1, sizeof(struct mod));
		snprintf((*out)[0].name, sizeof((*out)[0].name), "%s", alias);
		return 1;
	}
	if (strncmp(alias, "symbol:", 7) == 0) java_fallback();
	load_aliases();
	for (const char *l = alias_buf; *l;) {
		const char *e = strchrnul(l, '\n');
		char line[PATH_MAX], pat[PATH_MAX], mod[256];
		snprintf(line, sizeof(line), "%.*s", (int)(e - l), l);
		if (sscanf(line, "alias %4095s %255s", pat, mod) == 2 &&
		    (normalize(pat, npat, sizeof(npat)), fnmatch(npat, alias, 0) == 0)) {
			*out = realloc(*out, (n + 1) * sizeof(struct mod));
			snprintf((*out)[n].name, sizeof((*out)[n].name), "%s", mod);
			(*out)[n].alias = 1;
			n++;
		}
		l = *e ? e + 1 : e;
	}
	if (n) return n;
	if (is_builtin(alias)) {
		*out = calloc(1, sizeof(struct mod));
		snprintf((*out)[0].name, sizeof((*out)[0].name), "%s", alias);
		return 1;
	}
	java_fallback(); /* built-in aliases, or "not found": Java knows and says so */
	return 0;
}

static void mod_path(struct dep *d, char *out, size_t size)
{
	if (d->path[0] == '/') snprintf(out, size, "%s", d->path);
	else snprintf(out, size, "%s/%s", moddir, d->path);
}

/* kmod_module_insert_module; compressed files go to Java (decompression, /sys/module/compression) */
/* kmod 30's kmod_module_insert_module: one open serves the compression check and finit_module */
static int insert_file(const char *path, const char *params, int flags)
{
	unsigned char head[6] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -errno;
	ssize_t n = pread(fd, head, sizeof(head), 0);
	if (n >= 2 && ((head[0] == 0x1f && head[1] == 0x8b) || (head[0] == 0xfd && head[1] == '7') ||
		       (head[0] == 0x28 && head[1] == 0xb5))) {
		close(fd);
		java_fallback();
	}
	int kflags = (flags & F_VERMAGIC ? 2 : 0) | (flags & F_MODVERSION ? 1 : 0);
	int err = finit(fd, params, kflags);
	close(fd);
	if (err == -ENOTTY || err == -ENOSYS) java_fallback(); /* off the mount: init_module, in Java */
	if (err < 0) logp(L_INFO, "Failed to insert module '%s': %s\n", path, strerror(-err));
	return err;
}

/* ---- insmod ---- */
static int do_insmod(int argc, char **argv)
{
	int force = 0, i;
	char *file = NULL, params[DENYFS_FINIT_PARAMS_MAX] = "";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mount") == 0 && i + 1 < argc) mount_dir = argv[++i];
		else if (strncmp(argv[i], "--mount=", 8) == 0) mount_dir = argv[i] + 8;
		else if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0) force = 1;
		else if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "-p") == 0) ;
		else if (argv[i][0] == '-' && argv[i][1] && !file) java_fallback();
		else if (!file) file = argv[i];
		else {
			if (params[0]) strncat(params, " ", sizeof(params) - strlen(params) - 1);
			strncat(params, argv[i], sizeof(params) - strlen(params) - 1);
		}
	}
	if (!file) { logp(L_ERR, "missing filename.\n"); return 1; }
	if (strcmp(file, "-") == 0) { logp(L_ERR, "this tool does not support loading from stdin!\n"); return 1; }
	struct stat st;
	if (stat(file, &st) < 0) { logp(L_ERR, "could not load module %s: %s\n", file, strerror(errno)); return 1; }
	int err = insert_file(file, params, force ? F_VERMAGIC | F_MODVERSION : 0);
	if (err < 0) { logp(L_ERR, "could not insert module %s: %s\n", file, mod_strerror(-err)); return 1; }
	return 0;
}

/* ---- lsmod ---- */
static int do_lsmod(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mount") == 0 && i + 1 < argc) mount_dir = argv[++i];
		else if (strncmp(argv[i], "--mount=", 8) == 0) mount_dir = argv[i] + 8;
		else java_fallback();
	}
	need_mount();
	char p[PATH_MAX], line[4096];
	snprintf(p, sizeof(p), "%s/%s", mount_dir, DENYFS_PROC_MODULES);
	FILE *f = fopen(p, "re");
	if (!f) { fprintf(stderr, "Error: could not get list of modules: %s\n", strerror(errno)); return 1; }
	puts("Module                  Size  Used by");
	while (fgets(line, sizeof(line), f)) {
		char name[256], buf[64];
		long size;
		if (sscanf(line, "%255s %ld", name, &size) != 2) continue;
		snprintf(p, sizeof(p), "%s/%s/%s/coresize", mount_dir, DENYFS_SYS_MODULE, name);
		if (read_small(p, buf, sizeof(buf)) > 0) size = atol(buf);
		printf("%-19s %8ld  %d", name, size, refcnt(name));
		snprintf(p, sizeof(p), "%s/%s/%s/holders", mount_dir, DENYFS_SYS_MODULE, name);
		DIR *d = opendir(p);
		int first = 1;
		for (struct dirent *e; d && (e = readdir(d));) {
			if (e->d_name[0] == '.') continue;
			putchar(first ? ' ' : ',');
			first = 0;
			fputs(e->d_name, stdout);
		}
		if (d) closedir(d);
		putchar('\n');
	}
	fclose(f);
	return 0;
}

/* ---- rmmod ---- */
static int check_inuse(const char *name)
{
	char b[32], p[PATH_MAX];
	if (is_builtin(name)) { logp(L_ERR, "Module %s is builtin.\n", name); return -ENOENT; }
	if (!*mod_initstate(name, b, sizeof(b))) { logp(L_ERR, "Module %s is not currently loaded\n", name); return -ENOENT; }
	snprintf(p, sizeof(p), "%s/%s/%s/holders", mount_dir, DENYFS_SYS_MODULE, name);
	DIR *d = opendir(p);
	int any = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.') continue;
		if (!any) logp(L_ERR, "Module %s is in use by:", name);
		any = 1;
		if (L_ERR <= threshold) fprintf(stderr, " %s", e->d_name);
	}
	if (d) closedir(d);
	if (any) { if (L_ERR <= threshold) fputc('\n', stderr); return -EBUSY; }
	int r = refcnt(name);
	if (r > 0) { logp(L_ERR, "Module %s is in use\n", name); return -EBUSY; }
	if (r == -ENOENT) logp(L_ERR, "Module unloading is not supported\n");
	return r;
}

static int remove_module(const char *name, int force)
{
	int err = delete_module(name, O_NONBLOCK | (force ? O_TRUNC : 0));
	if (err < 0) logp(L_ERR, "could not remove '%s': %s\n", name, strerror(-err));
	return err;
}

static int do_rmmod(int argc, char **argv)
{
	int force = 0, failed = 0, any = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mount") == 0 && i + 1 < argc) { mount_dir = argv[++i]; continue; }
		if (strncmp(argv[i], "--mount=", 8) == 0) { mount_dir = argv[i] + 8; continue; }
		if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0) { force = 1; continue; }
		if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "-v") == 0) { if (argv[i][1] == 'v') threshold++; continue; }
		if (argv[i][0] == '-') java_fallback();
	}
	need_mount();
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/", mount_dir);
	/* modules.builtin of the only release under MNT (or uname -r) */
	DIR *d = opendir(moddir);
	int n = 0;
	char rel[256] = "";
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.') { n++; snprintf(rel, sizeof(rel), "%s", e->d_name); }
	if (d) closedir(d);
	if (n != 1) { struct utsname u; uname(&u); snprintf(rel, sizeof(rel), "%s", u.release); }
	strncat(moddir, rel, sizeof(moddir) - strlen(moddir) - 1);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mount") == 0) { i++; continue; }
		if (argv[i][0] == '-') continue;
		char name[256];
		any = 1;
		modname(argv[i], name, sizeof(name));
		if (!force && check_inuse(name) < 0) { failed++; continue; }
		int err = remove_module(name, force);
		if (err < 0) { logp(L_ERR, "could not remove module %s: %s\n", argv[i], strerror(-err)); failed++; }
	}
	if (!any) { logp(L_ERR, "missing module name.\n"); return 1; }
	return failed ? 1 : 0;
}

/* ---- modprobe ---- */
static int o_remove, o_all, o_first, o_force, o_fvermagic, o_fmodversion, o_show, o_dry, o_resolve, o_ignore_cmd;
static int log_priority = L_CRIT;

static void LOG(const char *fmt, const char *a, const char *b)
{
	if (log_priority <= threshold) {
		logp(log_priority, fmt, a, b);
		if (log_priority <= L_CRIT) exit(1);
	}
}

static void show(const char *fmt, const char *a, const char *b)
{
	if (o_show || threshold > L_WARNING) { printf(fmt, a, b); fflush(stdout); }
}

static int probe(struct mod *mod, int flags, const char *options)
{
	char path[PATH_MAX];
	if (!(flags & F_IGNORE_LOADED) && in_kernel(mod->name))
		return flags & F_FAIL_ON_LOADED ? -EEXIST : 0;
	struct dep *top = find_dep(mod->name);
	int n = top ? top->ndeps : 0, err = 0;
	/* the probe list: dependencies, last listed first (libkmod prepends), then the module */
	for (int i = n; i >= 0; i--) {
		const char *name = i == 0 ? mod->name : top->deps[i - 1];
		int target = i == 0;
		if (!(flags & F_IGNORE_LOADED) && in_kernel(name)) {
			err = -EEXIST;
		} else {
			struct dep *d = find_dep(name);
			if (!d) {
				if (is_builtin(name)) show("builtin %s\n", name, NULL);
				if (!(flags & F_DRY_RUN)) {
					if (!is_builtin(name)) { logp(L_ERR, "could not find module by name='%s'\n", name); err = -ENOENT; }
				}
			} else {
				mod_path(d, path, sizeof(path));
				show("insmod %s %s\n", path, target ? options : "");
				if (!(flags & F_DRY_RUN)) err = insert_file(path, target ? options : "", flags);
			}
		}
		if (err == -EEXIST && target && (flags & F_FAIL_ON_LOADED)) break;
		if (err == -EEXIST) err = 0;
		else if (err < 0) break;
	}
	return err;
}

static int mp_insmod(const char *alias, const char *options)
{
	struct mod *list;
	int n = lookup(alias, &list), err = 0;
	int flags = (o_fvermagic || o_force ? F_VERMAGIC : 0) | (o_fmodversion || o_force ? F_MODVERSION : 0) |
		    (o_show ? F_IGNORE_LOADED : 0) | (o_show || o_dry ? F_DRY_RUN : 0) | (o_first ? F_FAIL_ON_LOADED : 0);
	for (int i = 0; i < n; i++) {
		if (o_resolve) printf("%s\n", list[i].name);
		else err = probe(&list[i], flags, options);
		if (err >= 0) err = 0;
		else if (err == -EEXIST) logp(L_ERR, "could not insert '%s': Module already in kernel\n", list[i].name);
		else if (err == -ENOENT) logp(L_ERR, "could not insert '%s': Unknown symbol in module, or unknown parameter (see dmesg)\n", list[i].name);
		else logp(L_ERR, "could not insert '%s': %s\n", list[i].name, strerror(-err));
	}
	free(list);
	return err;
}

static int mp_remove_module(const char *name)
{
	show("rmmod %s\n", name, NULL);
	if (o_show || o_dry) return 0;
	int err = remove_module(name, o_force);
	if (err == -EEXIST) {
		if (!o_first) return 0;
		LOG("Module %s is not in kernel.\n", name, NULL);
	}
	return err;
}

static int mp_rmmod(const char *alias)
{
	struct mod *list;
	char b[32];
	int n = lookup(alias, &list), err = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i].name;
		if (!o_show) {
			if (is_builtin(name)) { LOG("Module %s is builtin.\n", name, NULL); err = -ENOENT; break; }
			if (!*mod_initstate(name, b, sizeof(b))) {
				if (o_first) { LOG("Module %s is not in kernel.\n", name, NULL); err = -ENOENT; break; }
				continue;
			}
			if (refcnt(name) > 0) { LOG("Module %s is in use.\n", name, NULL); err = -EBUSY; break; }
		}
		err = mp_remove_module(name);
		if (err < 0) break;
		struct dep *d = find_dep(name);
		for (int k = d ? d->ndeps - 1 : -1; k >= 0; k--) /* kmod_module_get_dependencies' order */
			if (refcnt(d->deps[k]) == 0) mp_remove_module(d->deps[k]);
	}
	free(list);
	return err;
}

static int config_found = -1; /* unknown until looked up, then cached (see denyfs_loader_preload) */

static int has_config(const char *root)
{
	static const char *dirs[] = {"etc/modprobe.d", "run/modprobe.d", "usr/local/lib/modprobe.d", "lib/modprobe.d"};
	if (config_found >= 0) return config_found;
	char p[PATH_MAX];
	config_found = 0;
	for (int i = 0; i < 4 && !config_found; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		DIR *d = opendir(p);
		for (struct dirent *e; d && (e = readdir(d));) {
			size_t l = strlen(e->d_name);
			if (l > 5 && strcmp(e->d_name + l - 5, ".conf") == 0) { config_found = 1; break; }
		}
		if (d) closedir(d);
	}
	return config_found;
}

/* the release under ROOT/lib/modules when there is only one, else uname -r */
static const char *default_release(const char *root)
{
	static char rel[256];
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/lib/modules", root);
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.') { n++; snprintf(rel, sizeof(rel), "%s", e->d_name); }
	if (d) closedir(d);
	if (n == 1) return rel;
	static struct utsname u;
	uname(&u);
	return u.release;
}

static int do_modprobe(int argc, char **argv)
{
	const char *root = NULL, *release = NULL;
	char **args = calloc(argc, sizeof(char *));
	int nargs = 0, verbose = 0, quiet = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (a[0] != '-' || !a[1]) { args[nargs++] = a; continue; }
		if (strcmp(a, "--mount") == 0 && i + 1 < argc) mount_dir = argv[++i];
		else if (strncmp(a, "--mount=", 8) == 0) mount_dir = a + 8;
		else if ((strcmp(a, "-d") == 0 || strcmp(a, "--dirname") == 0) && i + 1 < argc) root = argv[++i];
		else if ((strcmp(a, "-S") == 0 || strcmp(a, "--set-version") == 0) && i + 1 < argc) release = argv[++i];
		else if (strcmp(a, "--first-time") == 0) o_first = 1;
		else if (strcmp(a, "--force-vermagic") == 0) o_fvermagic = 1;
		else if (strcmp(a, "--force-modversion") == 0) o_fmodversion = 1;
		else if (strcmp(a, "--show-depends") == 0) o_show = 1;
		else if (strcmp(a, "--remove") == 0) o_remove = 1;
		else if (strcmp(a, "--all") == 0) o_all = 1;
		else if (strcmp(a, "--dry-run") == 0 || strcmp(a, "--show") == 0) o_dry = 1;
		else if (strcmp(a, "--quiet") == 0) quiet = 1;
		else if (strcmp(a, "--verbose") == 0) verbose++;
		else if (strcmp(a, "--resolve-alias") == 0) o_resolve = 1;
		else if (strcmp(a, "--force") == 0) o_force = 1;
		else if (strcmp(a, "--use-blacklist") == 0 || strcmp(a, "--syslog") == 0) ;
		else if (a[1] == '-') java_fallback();
		else {
			for (char *c = a + 1; *c; c++) {
				switch (*c) {
				case 'a': o_all = 1; break;
				case 'r': o_remove = 1; break;
				case 'n': o_dry = 1; break;
				case 'v': verbose++; break;
				case 'q': quiet = 1; break;
				case 'b': case 's': break;
				case 'i': o_ignore_cmd = 1; break;
				case 'f': o_force = 1; break;
				case 'D': o_show = 1; break;
				case 'R': o_resolve = 1; break;
				default: java_fallback();
				}
			}
		}
	}
	threshold = quiet ? L_EMERG : L_WARNING + verbose;
	if (o_all) log_priority = L_WARNING;
	if (nargs == 0) { logp(L_ERR, "missing parameters. See -h.\n"); return 1; }
	if (!root) root = mount_dir ? mount_dir : "/";
	if (has_config(root)) java_fallback();
	if (!release) release = default_release(root);
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/%s", root, release);
	int err = 0;
	if (o_remove || o_all) {
		for (int i = 0; i < nargs; i++) {
			int r = o_remove ? mp_rmmod(args[i]) : mp_insmod(args[i], "");
			if (r < 0) err = r;
		}
	} else {
		char opts[DENYFS_FINIT_PARAMS_MAX] = "";
		for (int i = 1; i < nargs; i++) {
			char *eq = strchr(args[i], '=');
			if (opts[0]) strncat(opts, " ", sizeof(opts) - strlen(opts) - 1);
			if (eq && eq[1] != '"' && eq[1] != '\'' && strchr(eq + 1, ' '))
				snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%.*s\"%s\"", (int)(eq + 1 - args[i]), args[i], eq + 1);
			else
				strncat(opts, args[i], sizeof(opts) - strlen(opts) - 1);
		}
		err = mp_insmod(args[0], opts);
	}
	return err >= 0 ? 0 : 1;
}

/* udevd loads libkmod's resources once, before it forks a worker per uevent (kmod_load_resources),
 * and every worker inherits them. A program that links this file without its main (denyfs-herd)
 * does the same: it calls this before forking, then denyfs_loader_main in each worker. */
void denyfs_loader_preload(const char *mount, const char *release)
{
	mount_dir = (char *)mount;
	has_config(mount);
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/%s", mount, release ? release : default_release(mount));
	load_deps();
	load_aliases();
	load_builtin();
}

int denyfs_loader_main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	int shift = 0;
	if (strcmp(base, "insmod") && strcmp(base, "modprobe") && strcmp(base, "rmmod") && strcmp(base, "lsmod")) {
		if (argc < 2) { fprintf(stderr, "usage: %s insmod|modprobe|rmmod|lsmod ARGS...\n", base); return 1; }
		base = argv[1];
		shift = 1;
	}
	prog = base;
	orig_argv = argv + shift;
	argc -= shift;
	argv += shift;
	if (!mount_dir) mount_dir = getenv("DENYFS_MOUNT");
	if (mount_dir && !*mount_dir) mount_dir = NULL;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0)
			java_fallback();
	if (strcmp(prog, "insmod") == 0) return do_insmod(argc, argv);
	if (strcmp(prog, "modprobe") == 0) return do_modprobe(argc, argv);
	if (strcmp(prog, "rmmod") == 0) return do_rmmod(argc, argv);
	if (strcmp(prog, "lsmod") == 0) return do_lsmod(argc, argv);
	java_fallback();
	return 1;
}

#ifndef DENYFS_LOADER_NO_MAIN
int main(int argc, char **argv)
{
	return denyfs_loader_main(argc, argv);
}
#endif

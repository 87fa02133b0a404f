/* kmod_worker.c - see kmod_worker.h. The probe itself is libkmod's (Debian's libkmod2); only the
 * kmod 31+ route, which libkmod 30 lacks, walks libkmod's lists here. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmod_worker.h"

#define MODULE_INIT_COMPRESSED_FILE 4 /* include/uapi/linux/module.h, v6.4 */
#define MAX_VISITED 1024

static struct kmod_ctx *ctx;
static enum kmod_worker_route route;
/* what /sys/module/compression says the kernel decompresses ("xz", "zstd", "gzip"), or "" */
static char kernel_compression[16];

static void fail(const char *what, int err)
{
	fprintf(stderr, "denyfs-herd: %s: %s\n", what, strerror(err));
	exit(1);
}

static void read_kernel_compression(void)
{
	/* the preload library redirects /sys/module to the mount's view */
	int fd = open("/sys/module/compression", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* a kernel without CONFIG_MODULE_DECOMPRESS has no such file */
	ssize_t n = read(fd, kernel_compression, sizeof kernel_compression - 1);
	close(fd);
	kernel_compression[n > 0 ? n : 0] = '\0';
	kernel_compression[strcspn(kernel_compression, "\n")] = '\0';
}

void kmod_worker_prepare(const char *mount, const char *release, enum kmod_worker_route r)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s/lib/modules/%s", mount, release) >= (int)sizeof dir)
		fail(mount, ENAMETOOLONG);
	static const char *const no_config[] = {NULL};
	ctx = kmod_new(dir, no_config);
	if (!ctx)
		fail("kmod_new", errno ? errno : ENOMEM);
	int err = kmod_load_resources(ctx);
	if (err < 0)
		fail(dir, -err);
	route = r;
	if (route == KMOD_ROUTE_KMOD31)
		read_kernel_compression();
}

/* The compression of a module file as depmod names it (.ko.xz, .ko.zst, .ko.gz), as
 * /sys/module/compression spells it; "" for an uncompressed .ko. libkmod 30 tells the formats
 * apart by their magic when it reads a file, but does not say which it found. */
static const char *file_compression(const char *path)
{
	static const struct { const char *suffix, *name; } known[] = {
		{".ko.xz", "xz"}, {".ko.zst", "zstd"}, {".ko.gz", "gzip"},
	};
	size_t len = strlen(path);
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		size_t s = strlen(known[i].suffix);
		if (len > s && !strcmp(path + len - s, known[i].suffix))
			return known[i].name;
	}
	return "";
}

static int is_loaded(struct kmod_module *mod)
{
	int state = kmod_module_get_initstate(mod);
	return state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN;
}

/* kmod 31+'s insert of one file: finit_module, with MODULE_INIT_COMPRESSED_FILE when the kernel
 * decompresses the file's format; libkmod's own insert (user-space decompression, init_module) for
 * a format it does not. 0 or -errno. */
static int insert_kmod31(struct kmod_module *mod)
{
	const char *path = kmod_module_get_path(mod);
	if (!path)
		return -ENOENT;
	const char *compression = file_compression(path);
	if (*compression && strcmp(compression, kernel_compression) != 0)
		return kmod_module_insert_module(mod, 0, kmod_module_get_options(mod));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	const char *options = kmod_module_get_options(mod);
	/* syscall(), as libkmod calls it: the preload library turns it into DENYFS_IOC_FINIT on fd */
	long r = syscall(__NR_finit_module, fd, options ? options : "", *compression ? MODULE_INIT_COMPRESSED_FILE : 0);
	int err = r == 0 ? 0 : -errno;
	close(fd);
	return err;
}

struct walk {
	struct kmod_module *visited[MAX_VISITED];
	int nvisited;
};

static int visit(struct walk *w, struct kmod_module *mod)
{
	for (int i = 0; i < w->nvisited; i++)
		if (w->visited[i] == mod)
			return 0;
	if (w->nvisited == MAX_VISITED)
		return -E2BIG;
	w->visited[w->nvisited++] = mod;
	return 1;
}

static int probe_kmod31(struct walk *w, struct kmod_module *mod, int required);

/* softdeps: loaded around the module, their failures ignored, as kmod does */
static void probe_softdeps(struct walk *w, struct kmod_list *list)
{
	struct kmod_list *l;
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		probe_kmod31(w, m, 0);
		kmod_module_unref(m);
	}
}

/* libkmod's probe order (softdeps pre, dependencies, the module, softdeps post), each module once,
 * those already LIVE skipped, EEXIST success; a required dependency's error ends the probe. */
static int probe_kmod31(struct walk *w, struct kmod_module *mod, int required)
{
	int v = visit(w, mod);
	if (v <= 0)
		return v;
	struct kmod_list *pre = NULL, *post = NULL;
	kmod_module_get_softdeps(mod, &pre, &post);
	probe_softdeps(w, pre);
	int err = 0;
	struct kmod_list *deps = kmod_module_get_dependencies(mod), *l;
	kmod_list_foreach(l, deps) {
		struct kmod_module *dep = kmod_module_get_module(l);
		err = probe_kmod31(w, dep, 1);
		kmod_module_unref(dep);
		if (err < 0)
			break;
	}
	kmod_module_unref_list(deps);
	if (err == 0 && !is_loaded(mod)) {
		err = insert_kmod31(mod);
		if (err == -EEXIST)
			err = 0;
	}
	if (err == 0)
		probe_softdeps(w, post);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	return required ? err : 0;
}

static int probe_one(struct kmod_module *mod)
{
	if (route == KMOD_ROUTE_KMOD30)
		return kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL, NULL);
	struct walk *w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	int err = probe_kmod31(w, mod, 1);
	free(w);
	return err;
}

int kmod_worker_probe(const char *modalias)
{
	struct kmod_list *list = NULL, *l;
	int err = kmod_module_new_from_lookup(ctx, modalias, &list);
	if (err < 0) {
		fprintf(stderr, "Failed to look up module alias '%s': %s\n", modalias, strerror(-err));
		return 1;
	}
	if (!list) {
		fprintf(stderr, "Failed to find module '%s'\n", modalias);
		return 1;
	}
	int status = 0;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);
		if (!is_loaded(mod)) {
			err = probe_one(mod);
			/* > 0: KMOD_PROBE_APPLY_BLACKLIST, the module is blacklisted: not an error */
			if (err < 0) {
				fprintf(stderr, "Failed to insert module '%s': %s\n", kmod_module_get_name(mod), strerror(-err));
				status = 1;
			}
		}
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return status;
}

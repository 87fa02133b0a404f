/* kmod_worker.h - a udev worker's module probe on Debian's libkmod, for denyfs-herd.
 *
 * udevd loads libkmod's indexes once (builtin kmod's init: kmod_new, kmod_load_resources) and forks
 * one worker per uevent; each worker's builtin `kmod load $MODALIAS` looks the alias up and probes
 * every match in-process. The herd does the same: kmod_worker_prepare in the launcher, before it
 * forks, kmod_worker_probe in each fork. The module syscalls libkmod makes (finit_module through
 * syscall(), init_module, delete_module) and its reads of /sys/module and /proc/modules reach the
 * mount through libdenyfs-preload.so, which the launcher runs under. */
#ifndef DENYFS_KMOD_WORKER_H
#define DENYFS_KMOD_WORKER_H

/* How each module file is inserted. */
enum kmod_worker_route {
	/* libkmod 30's own kmod_module_probe_insert_module: finit_module for an uncompressed file; a
	 * compressed one is decompressed in user space and given to init_module (no inode at all). */
	KMOD_ROUTE_KMOD30,
	/* kmod 31+'s route, which libkmod 30 cannot take, so the worker walks the probe list itself
	 * (libkmod's dependency and softdep lists, its LIVE checks) and calls finit_module on the open
	 * file with MODULE_INIT_COMPRESSED_FILE when the file's compression is the one
	 * /sys/module/compression names; any other compression goes through libkmod's insert. */
	KMOD_ROUTE_KMOD31,
};

/* Creates the one libkmod context over MOUNT/lib/modules/RELEASE (no modprobe.d configuration of
 * this machine's: an empty list, like modprobe -C /dev/null) and loads its indexes; for
 * KMOD_ROUTE_KMOD31 also reads /sys/module/compression. Exits with a message on failure. */
void kmod_worker_prepare(const char *mount, const char *release, enum kmod_worker_route route);

/* In a fork: probes MODALIAS as udev's builtin kmod does (modules BUILTIN or LIVE skipped, the
 * blacklist applied, EEXIST success) and prints "Failed to insert module 'NAME': MESSAGE" for each
 * module that failed, as udev logs it. Returns the exit status: 0, or 1 if any insert failed. */
int kmod_worker_probe(const char *modalias);

#endif

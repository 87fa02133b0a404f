/* denyfs-loader.h - denyfs-loader as a library, for programs that link denyfs-loader.c without its
 * main (built with -DDENYFS_LOADER_NO_MAIN): denyfs-herd's udev-style workers. */
#ifndef DENYFS_LOADER_H
#define DENYFS_LOADER_H

/* Loads the module indexes of MOUNT/lib/modules/RELEASE (RELEASE NULL: the only one there) and the
 * modprobe.d check once, as udevd's kmod_load_resources does before it forks workers; forks of the
 * caller reuse them. */
void denyfs_loader_preload(const char *mount, const char *release);

/* The denyfs-loader command line: argv[0] (or argv[1]) is insmod, modprobe, rmmod or lsmod. */
int denyfs_loader_main(int argc, char **argv);

#endif

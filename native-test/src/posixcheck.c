/*
 * posixcheck: a fixed script of POSIX file operations, run in one directory, printing one line per
 * step: its name and what came back (ok, or the errno's name) plus the facts the step changed
 * (type, mode, link count, owner, size, contents, times, names, attributes). The same script run
 * on the backing directory and on the mount must print the same lines: denyfs's conformance test
 * (PosixConformanceIT) runs it both ways, as root and as other users, and compares line by line.
 *
 *   posixcheck setup DIR   as root: the fixtures (a setgid directory owned by group 100, a sticky
 *                          directory with a root-owned file, a root-owned file with a trusted.*
 *                          attribute), then DIR is handed to UID:GID given as the 3rd argument
 *   posixcheck run DIR     every case, in DIR, as whoever runs it
 *
 * Nothing printed may depend on where DIR is, on inode numbers or on the clock (times are printed
 * when set explicitly; UTIME_NOW prints "recent").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include "denyfs.h"

static int steps;

static const char *errname(int e) {
    const char *n = denyfs_errno_name(e); /* libdenyfs's table, the one in C */
    return n ? n : "E?";
}

static void out(const char *step, const char *fmt, ...) {
    va_list ap;
    printf("%s: ", step);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    steps++;
}

/* The result of a call that returns -1 and sets errno. */
static void rc(const char *step, long r) {
    if (r < 0) {
        out(step, "%s", errname(errno));
    } else {
        out(step, "ok");
    }
}

static const char *type(mode_t m) {
    switch (m & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "lnk";
    case S_IFIFO: return "fifo";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFSOCK: return "sock";
    }
    return "?";
}

static void show(const char *step, const struct stat *st) {
    out(step, "%s mode=%04o nlink=%lu uid=%u gid=%u size=%lld", type(st->st_mode), st->st_mode & 07777,
        (unsigned long)st->st_nlink, st->st_uid, st->st_gid, (long long)st->st_size);
}

static void lst(const char *step, const char *path) {
    struct stat st;
    if (lstat(path, &st) < 0) {
        out(step, "%s", errname(errno));
    } else {
        show(step, &st);
    }
}

static void fst(const char *step, int fd) {
    struct stat st;
    if (fstat(fd, &st) < 0) {
        out(step, "%s", errname(errno));
    } else {
        show(step, &st);
    }
}

static void ts(char *buf, size_t n, const struct timespec *t) {
    time_t now = time(NULL);
    if (t->tv_sec > now - 600 && t->tv_sec < now + 600) {
        snprintf(buf, n, "recent");
    } else {
        snprintf(buf, n, "%lld.%09ld", (long long)t->tv_sec, t->tv_nsec);
    }
}

static void times_of(const char *step, const char *path) {
    struct stat st;
    if (lstat(path, &st) < 0) {
        out(step, "%s", errname(errno));
        return;
    }
    char a[40], m[40];
    ts(a, sizeof a, &st.st_atim);
    ts(m, sizeof m, &st.st_mtim);
    out(step, "atime=%s mtime=%s", a, m);
}

static void content(const char *step, const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        out(step, "%s", errname(errno));
        return;
    }
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) {
        out(step, "%s", errname(errno));
        return;
    }
    buf[n] = 0;
    out(step, "\"%s\"", buf);
}

static void pread_of(const char *step, int fd, size_t len, off_t off) {
    char buf[256];
    ssize_t n = pread(fd, buf, len < sizeof buf ? len : sizeof buf - 1, off);
    if (n < 0) {
        out(step, "%s", errname(errno));
        return;
    }
    buf[n] = 0;
    out(step, "%zd \"%s\"", n, buf);
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted, each with its d_type, "." and ".." left out. */
static void listing(const char *step, const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        out(step, "%s", errname(errno));
        return;
    }
    char *names[256];
    int n = 0;
    errno = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        const char *t = e->d_type == DT_REG ? "reg" : e->d_type == DT_DIR ? "dir" : e->d_type == DT_LNK ? "lnk"
                        : e->d_type == DT_FIFO ? "fifo" : e->d_type == DT_UNKNOWN ? "unknown" : "other";
        if (asprintf(&names[n], "%s(%s)", e->d_name, t) < 0) {
            abort();
        }
        n++;
    }
    int err = errno;
    closedir(d);
    if (err) {
        out(step, "%s", errname(err));
        return;
    }
    qsort(names, n, sizeof names[0], cmp);
    char line[8192] = "";
    for (int i = 0; i < n; i++) {
        strncat(line, names[i], sizeof line - strlen(line) - 2);
        strncat(line, " ", sizeof line - strlen(line) - 1);
        free(names[i]);
    }
    out(step, "[%s]", line);
}

static void xattrs(const char *step, const char *path) {
    char list[4096];
    ssize_t n = llistxattr(path, list, sizeof list);
    if (n < 0) {
        out(step, "%s", errname(errno));
        return;
    }
    char *names[64];
    int k = 0;
    for (char *p = list; p < list + n && k < 64; p += strlen(p) + 1) {
        if (strncmp(p, "security.", 9) != 0 && strncmp(p, "system.", 7) != 0) { /* LSM labels differ by fs */
            names[k++] = p;
        }
    }
    qsort(names, k, sizeof names[0], cmp);
    char line[4096] = "";
    for (int i = 0; i < k; i++) {
        char v[256];
        ssize_t m = lgetxattr(path, names[i], v, sizeof v - 1);
        v[m < 0 ? 0 : m] = 0;
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s=%s ", names[i], m < 0 ? errname(errno) : v);
    }
    out(step, "{%s}", line);
}

static void getx(const char *step, const char *path, const char *name) {
    char v[256];
    ssize_t n = lgetxattr(path, name, v, sizeof v - 1);
    if (n < 0) {
        out(step, "%s", errname(errno));
    } else {
        v[n] = 0;
        out(step, "\"%s\"", v);
    }
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0) {
            perror(path);
        }
        close(fd);
    }
}

/* ---- the cases --------------------------------------------------------------------------------- */

static void modes_and_umask(void) {
    static const mode_t masks[] = {0, 022, 077, 027, 0777};
    static const mode_t modes[] = {0666, 0777, 0620, 0400, 04777, 02777, 06777, 01777, 0};
    char name[64], step[96];
    for (size_t u = 0; u < sizeof masks / sizeof masks[0]; u++) {
        umask(masks[u]);
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            snprintf(name, sizeof name, "f-%03o-%04o", masks[u], modes[m]);
            int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, modes[m]);
            snprintf(step, sizeof step, "open(O_CREAT, %04o) under umask %03o", modes[m], masks[u]);
            rc(step, fd);
            if (fd >= 0) {
                close(fd);
            }
            lst(name, name);
            snprintf(name, sizeof name, "d-%03o-%04o", masks[u], modes[m]);
            snprintf(step, sizeof step, "mkdir(%04o) under umask %03o", modes[m], masks[u]);
            rc(step, mkdir(name, modes[m]));
            lst(name, name);
            snprintf(name, sizeof name, "p-%03o-%04o", masks[u], modes[m]);
            snprintf(step, sizeof step, "mknod(S_IFIFO|%04o) under umask %03o", modes[m], masks[u]);
            rc(step, mknod(name, S_IFIFO | modes[m], 0));
            lst(name, name);
        }
    }
    umask(022);
    write_file("chmod-me", "x");
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        snprintf(step, sizeof step, "chmod(%04o)", modes[m]);
        rc(step, chmod("chmod-me", modes[m]));
        lst(step, "chmod-me");
    }
    int fd = open("chmod-me", O_RDONLY);
    rc("fchmod(0640)", fchmod(fd, 0640));
    fst("fchmod(0640) fstat", fd);
    close(fd);
}

static void ownership(void) {
    write_file("own", "x");
    lst("own: created", "own");
    rc("chown(own, 1234, 4321)", chown("own", 1234, 4321));
    lst("own: after chown", "own");
    rc("chown(own, -1, own gid)", chown("own", -1, getegid()));
    lst("own: after chown to own gid", "own");
    write_file("suid", "x");
    rc("chmod(suid, 06755)", chmod("suid", 06755));
    rc("chown(suid, -1, own gid)", chown("suid", -1, getegid()));
    lst("suid: after chown", "suid");
    rc("symlink(own, own-link)", symlink("own", "own-link"));
    rc("lchown(own-link, 1234, 4321)", lchown("own-link", 1234, 4321));
    lst("own-link", "own-link");
    lst("own: after lchown of its link", "own");
}

static void setgid_dirs(void) {
    lst("sgid", "sgid");
    write_file("sgid/file", "x");
    lst("sgid/file: created", "sgid/file");
    umask(0);
    int fd = open("sgid/setgid-file", O_CREAT | O_EXCL | O_WRONLY, 02755);
    rc("open(sgid/setgid-file, 02755)", fd);
    if (fd >= 0) {
        close(fd);
    }
    lst("sgid/setgid-file", "sgid/setgid-file");
    rc("mkdir(sgid/sub, 0755)", mkdir("sgid/sub", 0755));
    lst("sgid/sub", "sgid/sub");
    write_file("sgid/sub/deeper", "x");
    lst("sgid/sub/deeper", "sgid/sub/deeper");
    rc("mknod(sgid/fifo)", mknod("sgid/fifo", S_IFIFO | 0666, 0));
    lst("sgid/fifo", "sgid/fifo");
    rc("chmod(sgid/file, 02755)", chmod("sgid/file", 02755));
    lst("sgid/file: after chmod 02755", "sgid/file");
    umask(022);
}

static void sticky_dirs(void) {
    lst("sticky", "sticky");
    lst("sticky/rootfile", "sticky/rootfile");
    write_file("sticky/mine", "x");
    rc("rename(sticky/rootfile, sticky/taken)", rename("sticky/rootfile", "sticky/taken"));
    rc("unlink(sticky/rootfile)", unlink("sticky/rootfile"));
    rc("unlink(sticky/mine)", unlink("sticky/mine"));
    listing("sticky: listing", "sticky");
}

static void hard_links(void) {
    write_file("h1", "hard");
    rc("link(h1, h2)", link("h1", "h2"));
    lst("h1: after link", "h1");
    lst("h2", "h2");
    struct stat a, b;
    out("h1 and h2: same inode", "%s", lstat("h1", &a) == 0 && lstat("h2", &b) == 0 && a.st_ino == b.st_ino ? "yes" : "no");
    rc("write through h2", (write_file("h2", "changed"), 0));
    content("h1: content after write through h2", "h1");
    lst("h1: after write through h2", "h1");
    rc("chmod(h2, 0600)", chmod("h2", 0600));
    lst("h1: after chmod of h2", "h1");
    rc("link(h1, h2) again", link("h1", "h2"));
    rc("link(nothing, h3)", link("nothing", "h3"));
    mkdir("hdir", 0755);
    rc("link(hdir, hdir2)", link("hdir", "hdir2"));
    rc("unlink(h1)", unlink("h1"));
    lst("h2: after unlink of h1", "h2");
    rc("linkat(h2, h1, AT_SYMLINK_FOLLOW)", linkat(AT_FDCWD, "h2", AT_FDCWD, "h1", AT_SYMLINK_FOLLOW));
    lst("h1: relinked", "h1");
}

static void renames(void) {
    write_file("ra", "aaa");
    write_file("rb", "bbb");
    rc("rename(ra, rb)", rename("ra", "rb"));
    content("rb: after rename over it", "rb");
    lst("ra: after rename", "ra");
    mkdir("rdir", 0755);
    mkdir("rdir2", 0755);
    write_file("rdir2/inside", "x");
    mkdir("rempty", 0755);
    rc("rename(rb, rdir)", rename("rb", "rdir"));
    rc("rename(rdir, rb)", rename("rdir", "rb"));
    rc("rename(rdir, rdir2)", rename("rdir", "rdir2"));
    rc("rename(rdir, rempty)", rename("rdir", "rempty"));
    lst("rempty: after rename over it", "rempty");
    rc("rename(rdir2, rdir2/inside/x)", rename("rdir2", "rdir2/inside/x"));
    mkdir("rdir2/sub", 0755);
    rc("rename(rdir2, rdir2/sub/x)", rename("rdir2", "rdir2/sub/x"));
    rc("rename(rb, rb)", rename("rb", "rb"));
    rc("rename(nothing, x)", rename("nothing", "x"));
    write_file("rl1", "l");
    link("rl1", "rl2");
    rc("rename(rl1, rl2) of two links of one file", rename("rl1", "rl2"));
    lst("rl1: after", "rl1");
    lst("rl2: after", "rl2");
    rc("rename(rdir2/inside, moved)", rename("rdir2/inside", "moved"));
    listing("rdir2: listing", "rdir2");
    content("moved", "moved");
}

static void symlinks(void) {
    write_file("target", "pointed at");
    rc("symlink(target, sl)", symlink("target", "sl"));
    char buf[256];
    ssize_t n = readlink("sl", buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    out("readlink(sl)", "%s", n < 0 ? errname(errno) : buf);
    lst("sl", "sl");
    content("sl: read through it", "sl");
    rc("symlink(missing, dangling)", symlink("missing", "dangling"));
    lst("dangling", "dangling");
    content("dangling: read through it", "dangling");
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    content("loop1: read through it", "loop1");
    rc("open(sl, O_NOFOLLOW)", open("sl", O_RDONLY | O_NOFOLLOW));
    mkdir("sdir", 0755);
    write_file("sdir/in", "inside");
    symlink("sdir", "sdir-link");
    content("sdir-link/in", "sdir-link/in");
    rc("symlink(x, sl) over an existing name", symlink("x", "sl"));
    rc("mkdir(sl)", mkdir("sl", 0755));
    rc("open(sl/x, O_CREAT)", open("sl/x", O_CREAT | O_WRONLY, 0644));
    rc("open(dangling, O_CREAT|O_EXCL)", open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
    rc("open(dangling, O_CREAT) creates the target", open("dangling", O_CREAT | O_WRONLY, 0644));
    lst("missing: created through the dangling link", "missing");
}

static void long_names(void) {
    char name[300];
    memset(name, 'n', 255);
    name[255] = 0;
    rc("open(255-byte name, O_CREAT)", open(name, O_CREAT | O_WRONLY, 0644));
    lst("255-byte name", name);
    memset(name, 'n', 256);
    name[256] = 0;
    rc("open(256-byte name, O_CREAT)", open(name, O_CREAT | O_WRONLY, 0644));
    /* a path of PATH_MAX - 1 bytes, relative to DIR, through 200-byte directory names */
    char path[PATH_MAX + 8];
    size_t len = 0;
    int depth = 0;
    mkdir("deep", 0755);
    strcpy(path, "deep");
    len = 4;
    while (PATH_MAX - 1 - len - 1 > 255) { /* until what is left fits one name */
        path[len++] = '/';
        memset(path + len, 'd', 200);
        len += 200;
        path[len] = 0;
        if (mkdir(path, 0755) < 0) {
            break;
        }
        depth++;
    }
    size_t last = PATH_MAX - 1 - len - 1;
    path[len++] = '/';
    memset(path + len, 'f', last);
    len += last;
    path[len] = 0;
    out("deep path: length and depth", "%zu bytes, %d directories", strlen(path), depth);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    rc("open(PATH_MAX-1 path, O_CREAT)", fd);
    if (fd >= 0) {
        rc("write(PATH_MAX-1 path)", write(fd, "deep", 4));
        close(fd);
    }
    content("PATH_MAX-1 path", path);
    lst("PATH_MAX-1 path: lstat", path);
    rc("rename(PATH_MAX-1 path, deep-moved)", rename(path, "deep-moved"));
    content("deep-moved", "deep-moved");
    strcat(path, "x");
    rc("open(PATH_MAX path, O_CREAT)", open(path, O_CREAT | O_WRONLY, 0644));
}

static void timestamps(void) {
    write_file("t", "time");
    struct timespec both[2] = {{1000, 500000000}, {2000, 250000000}};
    rc("utimensat(1000.5, 2000.25)", utimensat(AT_FDCWD, "t", both, 0));
    times_of("t: explicit", "t");
    struct timespec omit_atime[2] = {{0, UTIME_OMIT}, {3000, 0}};
    rc("utimensat(OMIT, 3000)", utimensat(AT_FDCWD, "t", omit_atime, 0));
    times_of("t: atime omitted", "t");
    struct timespec omit_mtime[2] = {{4000, 0}, {0, UTIME_OMIT}};
    rc("utimensat(4000, OMIT)", utimensat(AT_FDCWD, "t", omit_mtime, 0));
    times_of("t: mtime omitted", "t");
    struct timespec now_atime[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    rc("utimensat(NOW, OMIT)", utimensat(AT_FDCWD, "t", now_atime, 0));
    times_of("t: atime now", "t");
    rc("utimensat(NULL)", utimensat(AT_FDCWD, "t", NULL, 0));
    times_of("t: both now", "t");
    int fd = open("t", O_RDONLY);
    struct timespec f[2] = {{5000, 0}, {6000, 0}};
    rc("futimens(5000, 6000)", futimens(fd, f));
    times_of("t: futimens", "t");
    close(fd);
    symlink("t", "t-link");
    struct timespec l[2] = {{7000, 0}, {8000, 0}};
    rc("utimensat(t-link, AT_SYMLINK_NOFOLLOW)", utimensat(AT_FDCWD, "t-link", l, AT_SYMLINK_NOFOLLOW));
    times_of("t-link", "t-link");
    times_of("t: after its link's times changed", "t");
    rc("utimensat(rootfile, explicit)", utimensat(AT_FDCWD, "rootfile", both, 0));
    rc("utimensat(rootfile, NULL)", utimensat(AT_FDCWD, "rootfile", NULL, 0));
}

static void open_flags(void) {
    write_file("ap", "abc");
    int fd = open("ap", O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    rc("write(O_APPEND)", write(fd, "def", 3));
    rc("pwrite(O_APPEND, offset 0)", pwrite(fd, "ghi", 3, 0));
    close(fd);
    content("ap: after appends", "ap");
    rc("open(ap, O_CREAT|O_EXCL)", open("ap", O_CREAT | O_EXCL | O_WRONLY, 0644));
    fd = open("ap", O_WRONLY | O_TRUNC);
    rc("open(ap, O_TRUNC)", fd);
    close(fd);
    lst("ap: after O_TRUNC", "ap");
    rc("open(ap, O_DIRECTORY)", open("ap", O_RDONLY | O_DIRECTORY));
    mkdir("od", 0755);
    rc("open(od, O_WRONLY)", open("od", O_WRONLY));
    rc("open(nothing)", open("nothing", O_RDONLY));
    rc("open(nodir/x, O_CREAT)", open("nodir/x", O_CREAT | O_WRONLY, 0644));
    rc("open(ap/x)", open("ap/x", O_RDONLY));
    rc("open(rootfile, O_WRONLY)", open("rootfile", O_WRONLY));

    fd = open("direct", O_CREAT | O_RDWR | O_DIRECT, 0644);
    rc("open(direct, O_DIRECT)", fd);
    if (fd >= 0) {
        void *block;
        if (posix_memalign(&block, 4096, 8192) != 0) {
            abort();
        }
        memset(block, 'D', 8192);
        rc("pwrite(O_DIRECT, 8192 at 0)", pwrite(fd, block, 8192, 0));
        rc("pwrite(O_DIRECT, 4096 at 8192)", pwrite(fd, block, 4096, 8192));
        memset(block, 0, 8192);
        ssize_t n = pread(fd, block, 8192, 4096);
        if (n < 0) {
            out("pread(O_DIRECT, 8192 at 4096)", "%s", errname(errno));
        } else {
            out("pread(O_DIRECT, 8192 at 4096)", "%zd bytes, first %c, last %c", n, ((char *)block)[0] ? ((char *)block)[0] : '0',
                ((char *)block)[8191] ? ((char *)block)[8191] : '0');
        }
        rc("pwrite(O_DIRECT, 4096 at offset 1)", pwrite(fd, block, 4096, 1));
        rc("pwrite(O_DIRECT, 100 bytes at 0)", pwrite(fd, block, 100, 0));
        free(block);
        close(fd);
    }
    lst("direct", "direct");
}

static void sparse(void) {
    int fd = open("sparse", O_CREAT | O_RDWR, 0644);
    rc("pwrite(x at 1 MiB + 3)", pwrite(fd, "x", 1, (1 << 20) + 3));
    fst("sparse", fd);
    struct stat st;
    fstat(fd, &st);
    out("sparse: allocated less than 64 KiB", "%s", (long long)st.st_blocks * 512 < 65536 ? "yes" : "no");
    char buf[4];
    ssize_t n = pread(fd, buf, 4, 4096);
    out("sparse: read in the hole", "%zd bytes, %s", n, n == 4 && !buf[0] && !buf[1] && !buf[2] && !buf[3] ? "zeros" : "data");
    rc("ftruncate(10 MiB)", ftruncate(fd, 10 << 20));
    fst("sparse: after ftruncate up", fd);
    rc("truncate(sparse, 2)", truncate("sparse", 2));
    fst("sparse: after truncate down", fd);
    close(fd);
    rc("truncate(rootfile, 0)", truncate("rootfile", 0));
    rc("truncate(nothing, 0)", truncate("nothing", 0));
}

static void extended_attributes(void) {
    write_file("xa", "x");
    rc("setxattr(user.a)", setxattr("xa", "user.a", "1", 1, 0));
    getx("getxattr(user.a)", "xa", "user.a");
    rc("setxattr(user.a, XATTR_CREATE)", setxattr("xa", "user.a", "2", 1, XATTR_CREATE));
    rc("setxattr(user.b, XATTR_REPLACE)", setxattr("xa", "user.b", "2", 1, XATTR_REPLACE));
    rc("setxattr(user.b)", setxattr("xa", "user.b", "two", 3, 0));
    xattrs("xa: attributes", "xa");
    rc("removexattr(user.a)", removexattr("xa", "user.a"));
    getx("getxattr(user.a) after removal", "xa", "user.a");
    rc("removexattr(user.a) again", removexattr("xa", "user.a"));
    rc("setxattr(trusted.t)", setxattr("xa", "trusted.t", "t", 1, 0));
    xattrs("xa: attributes after trusted.t", "xa");
    xattrs("rootfile: attributes", "rootfile");
    getx("getxattr(rootfile, trusted.secret)", "rootfile", "trusted.secret");
    rc("setxattr(rootfile, user.mine)", setxattr("rootfile", "user.mine", "m", 1, 0));
    symlink("xa", "xa-link");
    rc("lsetxattr(xa-link, user.l)", lsetxattr("xa-link", "user.l", "l", 1, 0));
    xattrs("xa-link: attributes", "xa-link");
    char small[1];
    ssize_t n = getxattr("xa", "user.b", small, sizeof small);
    rc("getxattr(user.b) into 1 byte", n);
    n = getxattr("xa", "user.b", NULL, 0);
    if (n < 0) {
        out("getxattr(user.b) size", "%s", errname(errno));
    } else {
        out("getxattr(user.b) size", "%zd", n);
    }
    mkdir("xdir", 0755);
    rc("setxattr(xdir, user.d)", setxattr("xdir", "user.d", "d", 1, 0));
    xattrs("xdir: attributes", "xdir");
}

static void unlinked_but_open(void) {
    int fd = open("gone", O_CREAT | O_RDWR, 0644);
    rc("write(gone, Hello)", write(fd, "Hello", 5));
    rc("unlink(gone)", unlink("gone"));
    fst("gone: fstat after unlink", fd);
    pread_of("gone: pread after unlink", fd, 5, 0);
    rc("gone: pwrite after unlink", pwrite(fd, " world", 6, 5));
    pread_of("gone: pread of what was written", fd, 11, 0);
    rc("gone: ftruncate(3) after unlink", ftruncate(fd, 3));
    fst("gone: fstat after ftruncate", fd);
    rc("gone: fchmod(0600) after unlink", fchmod(fd, 0600));
    fst("gone: fstat after fchmod", fd);
    rc("gone: fchown(1234) after unlink", fchown(fd, 1234, -1));
    struct timespec t[2] = {{9000, 0}, {9001, 0}};
    rc("gone: futimens after unlink", futimens(fd, t));
    struct stat st;
    fstat(fd, &st);
    out("gone: mtime after futimens", "%lld", (long long)st.st_mtime);
    rc("gone: fsetxattr after unlink", fsetxattr(fd, "user.g", "g", 1, 0));
    char v[8] = "";
    ssize_t n = fgetxattr(fd, "user.g", v, sizeof v - 1);
    if (n < 0) {
        out("gone: fgetxattr after unlink", "%s", errname(errno));
    } else {
        out("gone: fgetxattr after unlink", "\"%s\"", v);
    }
    rc("gone: fsync after unlink", fsync(fd));
    rc("gone: fallocate after unlink", fallocate(fd, 0, 0, 8192));
    fst("gone: fstat after fallocate", fd);
    lst("gone: lstat of the name", "gone");
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    int again = open(self, O_RDONLY);
    rc("gone: reopen through /proc/self/fd", again);
    if (again >= 0) {
        pread_of("gone: pread of the reopened file", again, 3, 0);
        close(again);
    }
    close(fd);

    write_file("replaced", "old data");
    fd = open("replaced", O_RDONLY);
    write_file("replacement", "new data");
    rc("rename(replacement, replaced) over an open file", rename("replacement", "replaced"));
    pread_of("replaced: the old fd reads the old file", fd, 8, 0);
    fst("replaced: fstat of the old fd", fd);
    content("replaced: the name reads the new file", "replaced");
    close(fd);

    mkdir("rmd", 0755);
    fd = open("rmd/inner", O_CREAT | O_RDWR, 0644);
    rc("write(rmd/inner)", write(fd, "inner", 5));
    rc("unlink(rmd/inner) while open", unlink("rmd/inner"));
    listing("rmd: listing while its unlinked file is open", "rmd");
    rc("rmdir(rmd) while its unlinked file is open", rmdir("rmd"));
    pread_of("rmd/inner: pread after its directory went", fd, 5, 0);
    close(fd);

    mkdir("opened-dir", 0755);
    DIR *d = opendir("opened-dir");
    rc("rmdir(opened-dir) while open", rmdir("opened-dir"));
    errno = 0;
    struct dirent *e = d ? readdir(d) : NULL;
    out("readdir of a removed directory", "%s", e ? e->d_name : errno ? errname(errno) : "end");
    if (d) {
        closedir(d);
    }
}

static void directories(void) {
    mkdir("full", 0755);
    write_file("full/f", "x");
    rc("rmdir(full)", rmdir("full"));
    rc("rmdir(full/f)", rmdir("full/f"));
    rc("unlink(full)", unlink("full"));
    rc("mkdir(full)", mkdir("full", 0755));
    rc("mkdir(nodir/x)", mkdir("nodir/x", 0755));
    rc("mkdir(full/f/x)", mkdir("full/f/x", 0755));
    lst("full: link count", "full");
    mkdir("full/sub", 0755);
    lst("full: link count with a subdirectory", "full");
    listing("full: listing", "full");
    rc("rmdir(.)", rmdir("."));
    rc("rmdir(full/..)", rmdir("full/.."));
}

static void setup(const char *dir, const char *owner) {
    unsigned uid = 0, gid = 0;
    if (sscanf(owner, "%u:%u", &uid, &gid) != 2) {
        fprintf(stderr, "posixcheck setup: OWNER must be UID:GID\n");
        exit(2);
    }
    umask(0);
    if (chdir(dir) < 0) {
        perror(dir);
        exit(2);
    }
    int ok = mkdir("sgid", 0777) == 0 && chown("sgid", 0, 100) == 0 && chmod("sgid", 02777) == 0
             && mkdir("sticky", 0777) == 0 && chmod("sticky", 01777) == 0;
    int fd = open("sticky/rootfile", O_CREAT | O_WRONLY, 0666);
    ok = ok && fd >= 0 && close(fd) == 0;
    fd = open("rootfile", O_CREAT | O_WRONLY, 0644);
    ok = ok && fd >= 0 && write(fd, "root", 4) == 4 && close(fd) == 0
         && setxattr("rootfile", "trusted.secret", "s", 1, 0) == 0
         && setxattr("rootfile", "user.pub", "p", 1, 0) == 0
         && chown(".", uid, gid) == 0;
    if (!ok) {
        perror("posixcheck setup");
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: posixcheck setup DIR UID:GID | posixcheck run DIR\n");
        return 2;
    }
    if (strcmp(argv[1], "setup") == 0) {
        setup(argv[2], argc > 3 ? argv[3] : "0:0");
        return 0;
    }
    if (chdir(argv[2]) < 0) {
        perror(argv[2]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    modes_and_umask();
    ownership();
    setgid_dirs();
    sticky_dirs();
    hard_links();
    renames();
    symlinks();
    long_names();
    timestamps();
    open_flags();
    sparse();
    extended_attributes();
    unlinked_but_open();
    directories();
    fprintf(stderr, "posixcheck: %d steps\n", steps);
    return 0;
}

/*
 * iobench: the load generator of `denyfs bench io`.
 *
 * One invocation runs one workload against one directory and prints exactly one
 * result line on stdout:
 *
 *   iobench workload=W ops=N bytes=B seconds=S mib_per_s=X ops_per_s=Y median_ns=M p99_ns=P
 *
 * The same binary drives every target (native directory, bindfs, denyfs), so the
 * load is byte-for-byte identical and only the filesystem under DIR differs.
 * Only libc; build: gcc -O2 -Wall -Wextra -o target/native/iobench src/main/c/bench/iobench.c
 *
 * Usage: iobench WORKLOAD DIR [--size BYTES] [--fsync] [--warmup] [--drop-caches]
 *                             [--count N] [--seed S] [--files N]
 *
 *   seqwrite      create DIR/iobench-seq.dat, write --size bytes in 128 KiB blocks,
 *                 [--fsync: fsync before close]; timed from open to close.
 *   seqread       read DIR/iobench-seq.dat to EOF in 128 KiB blocks; timed from open to close.
 *                 --warmup: one untimed full pass first (warms the backing cache and,
 *                 if the filesystem keeps it, its own page cache).
 *                 --drop-caches: sync, then write 3 to /proc/sys/vm/drop_caches (root)
 *                 right before the timed pass: page cache, dentries and inodes of every
 *                 filesystem - the backing one and the FUSE mount alike - are dropped.
 *   randread      --count preads of 4 KiB at 4 KiB-aligned offsets drawn by xorshift64
 *                 seeded with --seed, so every target reads the same offsets.
 *                 --warmup: one untimed sequential pass first, as for seqread; without it
 *                 the cache state would be whatever earlier invocations left behind.
 *   meta-create   open(O_CREAT|O_EXCL|O_WRONLY)+close of --files new files in DIR/iobench-meta.
 *   meta-open-ro  open(O_RDONLY)+close of each of --files existing files.
 *   meta-open-wo  open(O_WRONLY)+close of each of --files existing files.
 *   meta-unlink   unlink of each of --files existing files.
 *
 * Each meta workload prepares its own precondition (files absent or present)
 * untimed, so the order in which the orchestrator interleaves targets never
 * changes what is measured. Every workload calls sync() untimed before its clock
 * starts, so dirty data left by the previous invocation (maybe of another target)
 * is not billed to this one. Latencies are per operation (one write/read/pread/
 * open+close/unlink), CLOCK_MONOTONIC, nanoseconds; p99 is nearest-rank.
 *
 * Exit status: 0 ok, 1 an operation failed, 2 usage error, 3 caches could not be dropped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BLOCK (128 * 1024)
#define RAND_BLOCK 4096
#define SEQ_FILE "iobench-seq.dat"
#define META_DIR "iobench-meta"

struct opts {
    const char *workload;
    const char *dir;
    long long size;
    long long count;
    long long files;
    unsigned long long seed;
    int fsync;
    int warmup;
    int drop_caches;
};

static void die(const char *what, const char *path) {
    fprintf(stderr, "iobench: %s %s: %s\n", what, path ? path : "", strerror(errno));
    exit(1);
}

static void usage(const char *msg) {
    fprintf(stderr, "iobench: %s\n"
            "usage: iobench seqwrite|seqread|randread|meta-create|meta-open-ro|meta-open-wo|meta-unlink DIR\n"
            "       [--size BYTES] [--fsync] [--warmup] [--drop-caches] [--count N] [--seed S] [--files N]\n", msg);
    exit(2);
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Sorts lat in place; prints the one result line. */
static void report(const struct opts *o, long long *lat, long long n, long long bytes, long long elapsed_ns) {
    long long median = 0, p99 = 0;
    if (n > 0) {
        qsort(lat, (size_t)n, sizeof *lat, cmp_ll);
        median = (n % 2) ? lat[n / 2] : (lat[n / 2 - 1] + lat[n / 2]) / 2;
        long long rank = (99 * n + 99) / 100; /* ceil(0.99 n), 1-based */
        p99 = lat[rank - 1];
    }
    double secs = elapsed_ns / 1e9;
    printf("iobench workload=%s ops=%lld bytes=%lld seconds=%.6f mib_per_s=%.3f ops_per_s=%.1f median_ns=%lld p99_ns=%lld\n",
           o->workload, n, bytes, secs, secs > 0 ? bytes / 1048576.0 / secs : 0.0,
           secs > 0 ? n / secs : 0.0, median, p99);
}

static char *path_join(const char *a, const char *b) {
    char *p;
    if (asprintf(&p, "%s/%s", a, b) < 0) {
        die("out of memory", NULL);
    }
    return p;
}

static long long *alloc_lat(long long n) {
    long long *lat = calloc((size_t)(n > 0 ? n : 1), sizeof *lat);
    if (!lat) {
        die("out of memory", NULL);
    }
    return lat;
}

static char *alloc_block(size_t size) {
    char *buf;
    if (posix_memalign((void **)&buf, 4096, size)) {
        die("out of memory", NULL);
    }
    /* Non-zero, non-repeating-by-page content: nothing along the way can special-case zeros. */
    for (size_t i = 0; i < size; i++) {
        buf[i] = (char)(i * 131 + (i >> 12) + 7);
    }
    return buf;
}

static void drop_caches(void) {
    sync();
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (fd < 0 || write(fd, "3", 1) != 1) {
        fprintf(stderr, "iobench: cannot drop caches (/proc/sys/vm/drop_caches needs root): %s\n", strerror(errno));
        exit(3);
    }
    close(fd);
}

static void seqwrite(const struct opts *o) {
    char *path = path_join(o->dir, SEQ_FILE);
    if (unlink(path) && errno != ENOENT) {
        die("unlink", path);
    }
    char *buf = alloc_block(SEQ_BLOCK);
    long long nblocks = (o->size + SEQ_BLOCK - 1) / SEQ_BLOCK;
    long long *lat = alloc_lat(nblocks);
    sync();
    long long t0 = now_ns();
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) {
        die("open", path);
    }
    long long done = 0, n = 0;
    while (done < o->size) {
        size_t len = o->size - done < SEQ_BLOCK ? (size_t)(o->size - done) : SEQ_BLOCK;
        long long s = now_ns();
        ssize_t w = write(fd, buf, len);
        if (w <= 0) {
            die("write", path);
        }
        lat[n++] = now_ns() - s;
        done += w;
    }
    if (o->fsync && fsync(fd)) {
        die("fsync", path);
    }
    if (close(fd)) {
        die("close", path);
    }
    long long elapsed = now_ns() - t0;
    report(o, lat, n, done, elapsed);
}

/* One full pass; returns bytes read and records per-read latencies when lat != NULL. */
static long long read_pass(const char *path, char *buf, long long *lat, long long cap, long long *n) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        die("open", path);
    }
    long long total = 0;
    for (;;) {
        long long s = now_ns();
        ssize_t r = read(fd, buf, SEQ_BLOCK);
        if (r < 0) {
            die("read", path);
        }
        if (r == 0) {
            break;
        }
        if (lat && *n < cap) {
            lat[(*n)++] = now_ns() - s;
        }
        total += r;
    }
    if (close(fd)) {
        die("close", path);
    }
    return total;
}

static void seqread(const struct opts *o) {
    char *path = path_join(o->dir, SEQ_FILE);
    struct stat st;
    if (stat(path, &st)) {
        die("stat (run seqwrite first)", path);
    }
    char *buf = alloc_block(SEQ_BLOCK);
    long long cap = st.st_size / SEQ_BLOCK + 2;
    long long *lat = alloc_lat(cap);
    long long n = 0;
    if (o->warmup) {
        read_pass(path, buf, NULL, 0, &n);
    }
    if (o->drop_caches) {
        drop_caches();
    } else {
        sync();
    }
    long long t0 = now_ns();
    long long bytes = read_pass(path, buf, lat, cap, &n);
    long long elapsed = now_ns() - t0;
    report(o, lat, n, bytes, elapsed);
}

static unsigned long long xorshift64(unsigned long long *s) {
    unsigned long long x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void randread(const struct opts *o) {
    char *path = path_join(o->dir, SEQ_FILE);
    struct stat st;
    if (stat(path, &st)) {
        die("stat (run seqwrite first)", path);
    }
    long long blocks = st.st_size / RAND_BLOCK;
    if (blocks <= 0) {
        errno = EINVAL;
        die("file smaller than 4 KiB", path);
    }
    if (o->warmup) {
        char *seqbuf = alloc_block(SEQ_BLOCK);
        long long unused = 0;
        read_pass(path, seqbuf, NULL, 0, &unused);
        free(seqbuf);
    }
    char *buf = alloc_block(RAND_BLOCK);
    long long *lat = alloc_lat(o->count);
    unsigned long long seed = o->seed ? o->seed : 0x9E3779B97F4A7C15ULL;
    sync();
    long long t0 = now_ns();
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        die("open", path);
    }
    for (long long i = 0; i < o->count; i++) {
        off_t off = (off_t)(xorshift64(&seed) % (unsigned long long)blocks) * RAND_BLOCK;
        long long s = now_ns();
        if (pread(fd, buf, RAND_BLOCK, off) != RAND_BLOCK) {
            die("pread", path);
        }
        lat[i] = now_ns() - s;
    }
    if (close(fd)) {
        die("close", path);
    }
    long long elapsed = now_ns() - t0;
    report(o, lat, o->count, o->count * RAND_BLOCK, elapsed);
}

static char *meta_name(const char *dir, long long i) {
    char *p;
    if (asprintf(&p, "%s/f%07lld", dir, i) < 0) {
        die("out of memory", NULL);
    }
    return p;
}

/* Untimed precondition: every file present (want_present) or every file absent. */
static char **meta_prepare(const struct opts *o, int want_present) {
    char *dir = path_join(o->dir, META_DIR);
    if (mkdir(dir, 0755) && errno != EEXIST) {
        die("mkdir", dir);
    }
    char **names = calloc((size_t)(o->files > 0 ? o->files : 1), sizeof *names);
    if (!names) {
        die("out of memory", NULL);
    }
    for (long long i = 0; i < o->files; i++) {
        names[i] = meta_name(dir, i);
        if (want_present) {
            int fd = open(names[i], O_CREAT | O_WRONLY, 0644);
            if (fd < 0 || close(fd)) {
                die("prepare create", names[i]);
            }
        } else if (unlink(names[i]) && errno != ENOENT) {
            die("prepare unlink", names[i]);
        }
    }
    sync();
    return names;
}

static void meta(const struct opts *o) {
    enum { CREATE, OPEN_RO, OPEN_WO, UNLINK } kind;
    if (!strcmp(o->workload, "meta-create")) {
        kind = CREATE;
    } else if (!strcmp(o->workload, "meta-open-ro")) {
        kind = OPEN_RO;
    } else if (!strcmp(o->workload, "meta-open-wo")) {
        kind = OPEN_WO;
    } else {
        kind = UNLINK;
    }
    char **names = meta_prepare(o, kind != CREATE);
    long long *lat = alloc_lat(o->files);
    long long t0 = now_ns();
    for (long long i = 0; i < o->files; i++) {
        long long s = now_ns();
        if (kind == UNLINK) {
            if (unlink(names[i])) {
                die("unlink", names[i]);
            }
        } else {
            int flags = kind == CREATE ? O_CREAT | O_EXCL | O_WRONLY : kind == OPEN_RO ? O_RDONLY : O_WRONLY;
            int fd = open(names[i], flags, 0644);
            if (fd < 0) {
                die("open", names[i]);
            }
            if (close(fd)) {
                die("close", names[i]);
            }
        }
        lat[i] = now_ns() - s;
    }
    long long elapsed = now_ns() - t0;
    report(o, lat, o->files, 0, elapsed);
}

static long long parse_num(const char *s, const char *opt) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0) {
        fprintf(stderr, "iobench: bad number for %s: %s\n", opt, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    struct opts o = {.size = 1LL << 30, .count = 65536, .files = 2000, .seed = 42};
    if (argc < 3) {
        usage("need WORKLOAD and DIR");
    }
    o.workload = argv[1];
    o.dir = argv[2];
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (!strcmp(a, "--fsync")) {
            o.fsync = 1;
        } else if (!strcmp(a, "--warmup")) {
            o.warmup = 1;
        } else if (!strcmp(a, "--drop-caches")) {
            o.drop_caches = 1;
        } else if (!strcmp(a, "--size") && has_val) {
            o.size = parse_num(argv[++i], a);
        } else if (!strcmp(a, "--count") && has_val) {
            o.count = parse_num(argv[++i], a);
        } else if (!strcmp(a, "--files") && has_val) {
            o.files = parse_num(argv[++i], a);
        } else if (!strcmp(a, "--seed") && has_val) {
            o.seed = (unsigned long long)parse_num(argv[++i], a);
        } else {
            usage("unknown option or missing value");
        }
    }
    /* Line-buffered so the one result line reaches the orchestrator even if a later step dies. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(o.workload, "seqwrite")) {
        seqwrite(&o);
    } else if (!strcmp(o.workload, "seqread")) {
        seqread(&o);
    } else if (!strcmp(o.workload, "randread")) {
        randread(&o);
    } else if (!strncmp(o.workload, "meta-", 5) && (!strcmp(o.workload + 5, "create") || !strcmp(o.workload + 5, "open-ro")
               || !strcmp(o.workload + 5, "open-wo") || !strcmp(o.workload + 5, "unlink"))) {
        meta(&o);
    } else {
        usage("unknown workload");
    }
    return 0;
}

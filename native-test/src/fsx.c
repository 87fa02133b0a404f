/*
 * fsx: denyfs's file-system exerciser, after the idea of fsx (Avadis Tevanian's, kept in xfstests):
 * random operations on one file, each also applied to a copy in memory, and every read compared with
 * that copy. A difference prints the operations that led to it and exits 1.
 *
 *   fsx [-N OPS] [-S SEED] [-l MAXFILE] [-o MAXOP] [-Z] [-R] [-W] [-q] FILE
 *
 *   -N OPS      operations to run (default 10000)
 *   -S SEED     random seed (default 1): the same seed gives the same operations
 *   -l MAXFILE  largest file size (default 262144)
 *   -o MAXOP    largest single read or write (default 65536)
 *   -Z          O_DIRECT: every read and write aligned to 4096 bytes, in an aligned buffer
 *   -R, -W      no mmap reads, no mmap writes
 *   -q          print only the summary
 *
 * Operations: write, read, mapread, mapwrite, truncate (up and down), fallocate (keeping the size or
 * growing it), punch hole, zero range, copy_file_range within the file, fsync, close and reopen.
 * The whole file is compared after every reopen and at the end.
 *
 * Written for denyfs (xfstests' fsx is not packaged by Debian, and code fetched for this project
 * may not be built by it); the same operations and checks, in less code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum op { WRITE, READ, MAPREAD, MAPWRITE, TRUNCATE, FALLOCATE, PUNCH, ZERO, COPY, FSYNC, REOPEN, NOPS };
static const char *names[NOPS] = {"write", "read", "mapread", "mapwrite", "truncate", "fallocate",
                                  "punch_hole", "zero_range", "copy_range", "fsync", "reopen"};
/* How often each comes, in percent: fsync and reopen (a whole-file compare) are the slow ones. */
static const int weights[NOPS] = {20, 22, 10, 10, 8, 6, 6, 6, 8, 1, 3};

static const char *path;
static int fd = -1;
static int direct, no_mapread, no_mapwrite, quiet;
static long maxfile = 262144, maxop = 65536;
static unsigned char *model;  /* what the file must hold */
static long size;             /* its size */
static unsigned char *buf;    /* transfers, page-aligned */
static unsigned long counts[NOPS];
static long opno;

#define LOG_SIZE 64
static char oplog[LOG_SIZE][96];

static uint64_t rng;
static uint64_t next_random(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static long below(long n) {
    return n <= 0 ? 0 : (long)(next_random() % (uint64_t)n);
}

static void logop(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(oplog[opno % LOG_SIZE], sizeof oplog[0], fmt, ap);
    va_end(ap);
}

static void fail(const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "fsx: %s: operation %ld: ", path, opno);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nfsx: the operations before it, oldest first:\n");
    for (long i = opno - LOG_SIZE + 1; i <= opno; i++) {
        if (i >= 0) {
            fprintf(stderr, "  %6ld %s\n", i, oplog[i % LOG_SIZE]);
        }
    }
    exit(1);
}

static long align(long v) {
    return direct ? v & ~4095L : v;
}

static void open_file(void) {
    fd = open(path, O_RDWR | O_CREAT | (direct ? O_DIRECT : 0), 0644);
    if (fd < 0) {
        fail("open: %s", strerror(errno));
    }
}

static void compare(const unsigned char *got, long off, long len, const char *how) {
    for (long i = 0; i < len; i++) {
        if (got[i] != model[off + i]) {
            fail("%s: byte %ld is 0x%02x, expected 0x%02x (size %ld)", how, off + i, got[i], model[off + i], size);
        }
    }
}

static void check_size(const char *how) {
    struct stat st;
    if (fstat(fd, &st) < 0) {
        fail("fstat after %s: %s", how, strerror(errno));
    }
    if (st.st_size != size) {
        fail("size after %s is %lld, expected %ld", how, (long long)st.st_size, size);
    }
}

static void do_write(void) {
    long off = align(below(maxfile)), len = direct ? align(below(maxop) + 4096) : below(maxop) + 1;
    if (off + len > maxfile) {
        len = direct ? align(maxfile - off) : maxfile - off;
    }
    if (len <= 0) {
        return;
    }
    logop("write %ld at %ld", len, off);
    for (long i = 0; i < len; i++) {
        buf[i] = (unsigned char)((opno * 7 + i) % 251 + 1);
    }
    ssize_t n = pwrite(fd, buf, len, off);
    if (n != len) {
        fail("pwrite %ld at %ld: %zd (%s)", len, off, n, n < 0 ? strerror(errno) : "short");
    }
    if (off > size) {
        memset(model + size, 0, off - size);
    }
    memcpy(model + off, buf, len);
    if (off + len > size) {
        size = off + len;
    }
}

static void do_read(void) {
    if (size == 0) {
        return;
    }
    long off = align(below(size)), len = direct ? align(below(maxop) + 4096) : below(maxop) + 1;
    if (off + len > size) {
        len = size - off;
    }
    long ask = direct ? (len + 4095) & ~4095L : len;
    logop("read %ld at %ld", len, off);
    ssize_t n = pread(fd, buf, ask, off);
    if (n != len) {
        fail("pread %ld at %ld: %zd (%s)", len, off, n, n < 0 ? strerror(errno) : "short");
    }
    compare(buf, off, len, "read");
}

static void do_mapread(void) {
    if (size == 0) {
        return;
    }
    long off = below(size), len = below(maxop) + 1;
    if (off + len > size) {
        len = size - off;
    }
    long pg = off & ~4095L;
    logop("mapread %ld at %ld", len, off);
    unsigned char *p = mmap(NULL, len + (off - pg), PROT_READ, MAP_SHARED, fd, pg);
    if (p == MAP_FAILED) {
        fail("mmap read: %s", strerror(errno));
    }
    compare(p + (off - pg), off, len, "mapread");
    munmap(p, len + (off - pg));
}

static void do_mapwrite(void) {
    long off = below(maxfile), len = below(maxop) + 1;
    if (off + len > maxfile) {
        len = maxfile - off;
    }
    if (len <= 0) {
        return;
    }
    logop("mapwrite %ld at %ld", len, off);
    if (off + len > size) {
        if (ftruncate(fd, off + len) < 0) {
            fail("ftruncate for mapwrite: %s", strerror(errno));
        }
        memset(model + size, 0, off + len - size);
        size = off + len;
    }
    long pg = off & ~4095L;
    unsigned char *p = mmap(NULL, len + (off - pg), PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
    if (p == MAP_FAILED) {
        fail("mmap write: %s", strerror(errno));
    }
    for (long i = 0; i < len; i++) {
        p[off - pg + i] = model[off + i] = (unsigned char)((opno * 13 + i) % 251 + 1);
    }
    if (msync(p, len + (off - pg), MS_SYNC) < 0) {
        fail("msync: %s", strerror(errno));
    }
    munmap(p, len + (off - pg));
}

static void do_truncate(void) {
    long to = align(below(maxfile + 1));
    logop("truncate %ld -> %ld", size, to);
    if (ftruncate(fd, to) < 0) {
        fail("ftruncate %ld: %s", to, strerror(errno));
    }
    if (to > size) {
        memset(model + size, 0, to - size);
    }
    size = to;
    check_size("truncate");
}

static void do_fallocate(int op) {
    long off = align(below(maxfile)), len = align(below(maxop) + 4096);
    if (off + len > maxfile) {
        len = maxfile - off;
    }
    if (len <= 0) {
        return;
    }
    int mode = op == PUNCH ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
               : op == ZERO ? FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE
               : (below(2) ? FALLOC_FL_KEEP_SIZE : 0);
    logop("%s %ld at %ld mode 0x%x", names[op], len, off, mode);
    if (fallocate(fd, mode, off, len) < 0) {
        if (errno == EOPNOTSUPP) {
            return; /* the backing file system has not got it: neither side changed */
        }
        fail("fallocate mode 0x%x %ld at %ld: %s", mode, len, off, strerror(errno));
    }
    if (op == PUNCH || op == ZERO) {
        long end = off + len < size ? off + len : size;
        if (off < end) {
            memset(model + off, 0, end - off);
        }
    } else if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > size) {
        memset(model + size, 0, off + len - size);
        size = off + len;
    }
    check_size(names[op]);
}

static void do_copy(void) {
    if (size == 0 || direct) {
        return;
    }
    long from = below(size), len = below(maxop) + 1;
    if (from + len > size) {
        len = size - from;
    }
    long to = below(maxfile - len);
    if (to < from + len && from < to + len) {
        return; /* overlapping ranges of one file: EINVAL natively, nothing to model */
    }
    logop("copy_range %ld from %ld to %ld", len, from, to);
    loff_t in = from, out = to;
    ssize_t n = copy_file_range(fd, &in, fd, &out, len, 0);
    if (n < 0) {
        fail("copy_file_range: %s", strerror(errno));
    }
    if (to > size) {
        memset(model + size, 0, to - size);
    }
    memmove(model + to, model + from, n);
    if (to + n > size) {
        size = to + n;
    }
}

static void compare_whole(const char *how) {
    check_size(how);
    for (long off = 0; off < size; off += maxop) {
        long len = size - off < maxop ? size - off : maxop;
        long ask = direct ? (len + 4095) & ~4095L : len;
        ssize_t n = pread(fd, buf, ask, off);
        if (n != len) {
            fail("%s: pread %ld at %ld: %zd (%s)", how, len, off, n, n < 0 ? strerror(errno) : "short");
        }
        compare(buf, off, len, how);
    }
}

_Static_assert(20 + 22 + 10 + 10 + 8 + 6 + 6 + 6 + 8 + 1 + 3 == 100, "weights are percentages");

int main(int argc, char **argv) {
    long ops = 10000;
    unsigned long seed = 1;
    int c;
    while ((c = getopt(argc, argv, "N:S:l:o:ZRWq")) != -1) {
        switch (c) {
        case 'N': ops = atol(optarg); break;
        case 'S': seed = strtoul(optarg, NULL, 0); break;
        case 'l': maxfile = atol(optarg); break;
        case 'o': maxop = atol(optarg); break;
        case 'Z': direct = 1; break;
        case 'R': no_mapread = 1; break;
        case 'W': no_mapwrite = 1; break;
        case 'q': quiet = 1; break;
        default:
            fprintf(stderr, "usage: fsx [-N OPS] [-S SEED] [-l MAXFILE] [-o MAXOP] [-Z] [-R] [-W] [-q] FILE\n");
            return 2;
        }
    }
    if (optind != argc - 1 || maxfile < 4096 || maxop < 1) {
        fprintf(stderr, "usage: fsx [-N OPS] [-S SEED] [-l MAXFILE] [-o MAXOP] [-Z] [-R] [-W] [-q] FILE\n");
        return 2;
    }
    path = argv[optind];
    rng = seed * 0x9E3779B97F4A7C15ull + 1;
    model = calloc(maxfile + maxop, 1);
    if (!model || posix_memalign((void **)&buf, 4096, maxop + 8192) != 0) {
        perror("fsx");
        return 1;
    }
    unlink(path);
    open_file();
    for (opno = 0; opno < ops; opno++) {
        long pick = below(100);
        enum op op = WRITE;
        while (pick >= weights[op]) {
            pick -= weights[op];
            op++;
        }
        if ((op == MAPREAD && no_mapread) || (op == MAPWRITE && no_mapwrite) || ((op == MAPREAD || op == MAPWRITE) && direct)) {
            op = READ;
        }
        switch (op) {
        case WRITE: do_write(); break;
        case READ: do_read(); break;
        case MAPREAD: do_mapread(); break;
        case MAPWRITE: do_mapwrite(); break;
        case TRUNCATE: do_truncate(); break;
        case FALLOCATE: case PUNCH: case ZERO: do_fallocate(op); break;
        case COPY: do_copy(); break;
        case FSYNC:
            logop("fsync");
            if (fsync(fd) < 0) {
                fail("fsync: %s", strerror(errno));
            }
            break;
        case REOPEN:
            logop("close and reopen");
            close(fd);
            open_file();
            compare_whole("reopen");
            break;
        case NOPS: break;
        }
        counts[op]++;
    }
    compare_whole("the end");
    close(fd);
    printf("fsx: %ld operations on %s (seed %lu%s):", ops, path, seed, direct ? ", O_DIRECT" : "");
    for (int i = 0; i < NOPS; i++) {
        if (counts[i]) {
            printf(" %s %lu", names[i], counts[i]);
        }
    }
    printf("; no difference\n");
    (void)quiet;
    return 0;
}

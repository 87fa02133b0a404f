/*
 * libdenyfs-fuse.so: a reply filter between libfuse 2.9's high-level library and /dev/fuse.
 *
 * libfuse2's high-level API sets one attr_timeout for the whole mount and knows nothing of the
 * open flags newer kernels accept. Both cost denyfs round trips: with attr_timeout=0 every open
 * asks GETATTR for each path component (default_permissions), and every close sends a FLUSH that
 * a passthrough has nothing to do for. The daemon's FUSE loop (kernel.fuse.FuseLoop) hands each request
 * to denyfs_fuse_process() instead of fuse_session_process_buf(); replies then leave through a
 * channel of ours whose send() rewrites three things before they reach the kernel:
 *
 *  - attributes of a non-directory with more than one link are never cached (attr_valid = 0).
 *    libfuse2 gives every hard link its own FUSE inode, so the kernel cannot see that a write or
 *    chmod through one link changed the others. A file with a single link has one FUSE inode,
 *    whose cache the kernel keeps exact itself, so the mount-wide attr_timeout applies to it.
 *  - names and attributes the daemon marked with denyfs_fuse_uncached() (its virtual tree, whose
 *    files come and go with the module table) are never cached.
 *  - after a successful LINK, the attributes of the old link's FUSE inode are invalidated
 *    (its nlink just grew, and the kernel's new inode for the new name is a different one).
 *  - an OPEN or CREATE the daemon marked with denyfs_fuse_no_flush() gets FOPEN_NOFLUSH
 *    (Linux 5.16+; older kernels ignore the bit and keep sending FLUSH).
 *  - kernel passthrough (Linux 6.9+, CONFIG_FUSE_PASSTHROUGH): when the daemon asks for it and the
 *    kernel offers it in INIT, the INIT reply grows to the full 64-byte fuse_init_out with
 *    FUSE_INIT_EXT, FUSE_PASSTHROUGH (flags2) and max_stack_depth; an OPEN or CREATE the daemon
 *    marked with denyfs_fuse_passthrough(id) gets FOPEN_PASSTHROUGH and the backing id, so the
 *    kernel reads, writes and maps the backing file itself. libfuse2 knows none of this: its
 *    fuse_init_out ends at max_write, its fuse_open_out has padding where the id goes.
 *  - FUSE_HANDLE_KILLPRIV_V2 in INIT's flags when the kernel offers it: the daemon kills set-id
 *    bits itself where a request says so (denyfs_fuse_kill_suidgid), and in return the kernel may
 *    mark inodes S_NOSEC and stops asking GETXATTR security.capability before every write(2),
 *    which with passthrough was the one round trip left per write.
 *  - libfuse's auto_cache check at the OPEN of a file that passes through (an fgetattr whose
 *    answer only decides FOPEN_KEEP_CACHE, which passthrough drops) is answered by the filter,
 *    without an upcall into the daemon (denyfs_fuse_fgetattr).
 *
 * Everything else passes through untouched. Replies are sent by the thread that processes the
 * request (the high-level library never replies from elsewhere), so what the filter needs to know
 * of the request rides in thread-local storage.
 */
#define _GNU_SOURCE
#include <linux/fuse.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef FOPEN_NOFLUSH
#define FOPEN_NOFLUSH (1 << 5)
#endif

/* Linux 6.9's passthrough ABI (include/uapi/linux/fuse.h 7.40), newer than Debian's header. */
#define DENYFS_FOPEN_PARALLEL_DIRECT_WRITES (1 << 6)
#define DENYFS_FOPEN_PASSTHROUGH (1 << 7)
/* The only open flags the kernel accepts together with FOPEN_PASSTHROUGH; KEEP_CACHE makes the open EIO. */
#define DENYFS_PASSTHROUGH_OPEN_FLAGS (DENYFS_FOPEN_PASSTHROUGH | FOPEN_DIRECT_IO \
        | DENYFS_FOPEN_PARALLEL_DIRECT_WRITES | FOPEN_NOFLUSH)
#define DENYFS_FUSE_INIT_EXT (1u << 30)
#define DENYFS_FUSE_WRITEBACK_CACHE (1u << 16)
/* FUSE_PASSTHROUGH is 1ULL << 37: bit 5 of flags2. */
#define DENYFS_FUSE_PASSTHROUGH_FLAGS2 (1u << 5)
/* Protocol 7.33's kill-suidgid ABI, as include/uapi/linux/fuse.h numbers it. */
#define DENYFS_FUSE_HANDLE_KILLPRIV_V2 (1u << 28)
#define DENYFS_FUSE_WRITE_KILL_SUIDGID (1u << 2)
#define DENYFS_FATTR_KILL_SUIDGID (1u << 11)
#define DENYFS_FUSE_OPEN_KILL_SUIDGID (1u << 0)

struct denyfs_backing_map {
    int32_t fd;
    uint32_t flags;
    uint64_t padding;
};
#define DENYFS_DEV_IOC_BACKING_OPEN _IOW(229, 1, struct denyfs_backing_map)
#define DENYFS_DEV_IOC_BACKING_CLOSE _IOW(229, 2, uint32_t)

/* The whole fuse_init_out of 7.40; libfuse 2.9 sends only the part up to max_write. */
struct denyfs_init_out {
    uint32_t major;
    uint32_t minor;
    uint32_t max_readahead;
    uint32_t flags;
    uint16_t max_background;
    uint16_t congestion_threshold;
    uint32_t max_write;
    uint32_t time_gran;
    uint16_t max_pages;
    uint16_t map_alignment;
    uint32_t flags2;
    uint32_t max_stack_depth;
    uint32_t unused[6];
};
_Static_assert(sizeof(struct denyfs_init_out) == 64, "fuse_init_out is 64 bytes");
/* fuse_open_out of 7.40: the backing id sits where older headers have padding. */
#define DENYFS_OPEN_OUT_BACKING_ID 12

/* Passthrough states (denyfs_fuse_passthrough_state); a negative one is the probe's -errno. */
#define PT_PENDING 0
#define PT_ON 1
#define PT_NOT_ASKED 2
#define PT_NOT_OFFERED 3

#define EXPORT __attribute__((visibility("default")))

/* The part of libfuse 2.9's ABI used here (fuse_lowlevel.h, fuse_common.h); libfuse-dev is not needed. */
struct fuse_session;
struct fuse_chan;
struct fuse_buf {
    size_t size;
    int flags;
    void *mem;
    int fd;
    off_t pos;
};
struct fuse_chan_ops {
    int (*receive)(struct fuse_chan **chp, char *buf, size_t size);
    int (*send)(struct fuse_chan *ch, const struct iovec iov[], size_t count);
    void (*destroy)(struct fuse_chan *ch);
};
#define FUSE_BUF_IS_FD (1 << 1)

struct fuse_chan *fuse_chan_new(struct fuse_chan_ops *op, int fd, size_t bufsize, void *data);
int fuse_chan_fd(struct fuse_chan *ch);
size_t fuse_chan_bufsize(struct fuse_chan *ch);
void *fuse_chan_data(struct fuse_chan *ch);
int fuse_chan_send(struct fuse_chan *ch, const struct iovec iov[], size_t count);
void fuse_session_process_buf(struct fuse_session *se, const struct fuse_buf *buf, struct fuse_chan *ch);
int fuse_lowlevel_notify_inval_inode(struct fuse_chan *ch, uint64_t ino, off_t off, off_t len);

/* One mount's filter: the channel it sends through and its passthrough state. */
struct filter {
    struct fuse_chan *kernel;
    int dev_fd;                  /* /dev/fuse, for the backing-id ioctls */
    uint32_t stack_depth;        /* max_stack_depth to ask for; 0: passthrough not wanted */
    pthread_mutex_t lock;
    pthread_cond_t decided;
    int state;                   /* PT_*, or -errno of the probe; guarded by lock */
    int killpriv_v2;             /* INIT's reply carried FUSE_HANDLE_KILLPRIV_V2 */
    /* the daemon's own fgetattr, which denyfs_fuse_fgetattr stands in front of */
    int (*daemon_fgetattr)(const char *path, struct stat *st, void *fi);
};

/* What the reply filter knows of the request this thread is processing. */
struct request {
    struct filter *filter;       /* the mount whose request this is */
    uint64_t unique;
    uint64_t nodeid;
    uint32_t opcode;
    int init_offers_passthrough; /* INIT: the kernel offered FUSE_PASSTHROUGH */
    int init_offers_killpriv_v2; /* INIT: the kernel offered FUSE_HANDLE_KILLPRIV_V2 */
    int kill_suidgid;            /* WRITE, SETATTR, OPEN, CREATE: the kernel asks to kill set-id bits */
    int32_t backing_id;          /* set by the daemon: this OPEN or CREATE passes through to it */
    uint64_t link_from; /* LINK: the node whose nlink grew */
    const char *rename_to; /* RENAME: the new name, in the request buffer */
    int no_flush;       /* set by the daemon while it answers an OPEN or CREATE */
    int uncached;       /* set by the daemon while it answers for a node that must not be cached */
};
static __thread struct request current;

/*
 * Whether the request asks the daemon to kill set-id bits (only with FUSE_HANDLE_KILLPRIV_V2): a
 * WRITE's write_flags, a SETATTR's valid bits (truncate, and chown of a non-directory), an OPEN's or
 * CREATE's open_flags (O_TRUNC). The kernel sets them only for a caller without CAP_FSETID.
 */
static int asks_kill_suidgid(const struct fuse_in_header *in, size_t size) {
    if (size < sizeof(*in)) {
        return 0;
    }
    const char *arg = (const char *)(in + 1);
    size_t len = size - sizeof(*in);
    uint32_t v;
    switch (in->opcode) {
    case FUSE_WRITE:
        if (len < offsetof(struct fuse_write_in, write_flags) + sizeof(v)) return 0;
        memcpy(&v, arg + offsetof(struct fuse_write_in, write_flags), sizeof(v));
        return (v & DENYFS_FUSE_WRITE_KILL_SUIDGID) != 0;
    case FUSE_SETATTR:
        if (len < sizeof(v)) return 0;
        memcpy(&v, arg + offsetof(struct fuse_setattr_in, valid), sizeof(v));
        return (v & DENYFS_FATTR_KILL_SUIDGID) != 0;
    case FUSE_OPEN:
        if (len < offsetof(struct fuse_open_in, open_flags) + sizeof(v)) return 0;
        memcpy(&v, arg + offsetof(struct fuse_open_in, open_flags), sizeof(v));
        return (v & DENYFS_FUSE_OPEN_KILL_SUIDGID) != 0;
    case FUSE_CREATE:
        if (len < offsetof(struct fuse_create_in, open_flags) + sizeof(v)) return 0;
        memcpy(&v, arg + offsetof(struct fuse_create_in, open_flags), sizeof(v));
        return (v & DENYFS_FUSE_OPEN_KILL_SUIDGID) != 0;
    }
    return 0;
}

/* Counters for the status view and the tests: replies rewritten, by rule. */
static unsigned long uncached_links, invalidated_links, no_flush_opens, passthrough_opens, auto_cache_checks_spared;

/* An open reply's flags once it passes through: only the flags the kernel allows with it. */
static void pass_through(struct fuse_open_out *open) {
    open->open_flags = (open->open_flags | DENYFS_FOPEN_PASSTHROUGH) & DENYFS_PASSTHROUGH_OPEN_FLAGS;
    memcpy((char *)open + DENYFS_OPEN_OUT_BACKING_ID, &current.backing_id, sizeof(int32_t));
    __atomic_add_fetch(&passthrough_opens, 1, __ATOMIC_RELAXED);
}

static void keep_attr_exact(struct fuse_attr *attr, uint64_t *valid, uint32_t *valid_nsec) {
    if (current.uncached) {
        *valid = 0;
        *valid_nsec = 0;
    } else if (!S_ISDIR(attr->mode) && attr->nlink > 1 && (*valid != 0 || *valid_nsec != 0)) {
        *valid = 0;
        *valid_nsec = 0;
        __atomic_add_fetch(&uncached_links, 1, __ATOMIC_RELAXED);
    }
}

/* Rewrites the reply's argument (one iovec, as libfuse sends every reply that carries attributes). */
static void filter(char *arg, size_t len) {
    switch (current.opcode) {
    case FUSE_GETATTR:
    case FUSE_SETATTR:
        if (len >= sizeof(struct fuse_attr_out)) {
            struct fuse_attr_out *out = (struct fuse_attr_out *)arg;
            keep_attr_exact(&out->attr, &out->attr_valid, &out->attr_valid_nsec);
        }
        break;
    case FUSE_LOOKUP:
    case FUSE_MKNOD:
    case FUSE_MKDIR:
    case FUSE_SYMLINK:
    case FUSE_LINK:
    case FUSE_CREATE:
        if (len >= sizeof(struct fuse_entry_out)) {
            struct fuse_entry_out *out = (struct fuse_entry_out *)arg;
            keep_attr_exact(&out->attr, &out->attr_valid, &out->attr_valid_nsec);
            if (current.uncached) {
                out->entry_valid = 0;
                out->entry_valid_nsec = 0;
            }
        }
        if (current.opcode == FUSE_CREATE && current.no_flush
                && len >= sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out)) {
            ((struct fuse_open_out *)(arg + sizeof(struct fuse_entry_out)))->open_flags |= FOPEN_NOFLUSH;
            __atomic_add_fetch(&no_flush_opens, 1, __ATOMIC_RELAXED);
        }
        if (current.opcode == FUSE_CREATE && current.backing_id > 0
                && len >= sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out)) {
            pass_through((struct fuse_open_out *)(arg + sizeof(struct fuse_entry_out)));
        }
        break;
    case FUSE_OPEN:
        if (current.no_flush && len >= sizeof(struct fuse_open_out)) {
            ((struct fuse_open_out *)arg)->open_flags |= FOPEN_NOFLUSH;
            __atomic_add_fetch(&no_flush_opens, 1, __ATOMIC_RELAXED);
        }
        if (current.backing_id > 0 && len >= sizeof(struct fuse_open_out)) {
            pass_through((struct fuse_open_out *)arg);
        }
        break;
    }
}

static void decide(struct filter *f, int state) {
    pthread_mutex_lock(&f->lock);
    f->state = state;
    pthread_cond_broadcast(&f->decided);
    pthread_mutex_unlock(&f->lock);
}

/*
 * Once the kernel has the INIT reply: does a backing id really come? A memfd is a regular file
 * on a file system that stacks on nothing, so the ioctl fails only for the connection's reasons
 * (EPERM: passthrough not granted, or no CAP_SYS_ADMIN), never for BACKING's.
 */
static int probe_backing_open(int dev_fd) {
    int fd = memfd_create("denyfs-passthrough-probe", MFD_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    struct denyfs_backing_map map = {.fd = fd};
    int id = ioctl(dev_fd, DENYFS_DEV_IOC_BACKING_OPEN, &map);
    int res = id > 0 ? PT_ON : -errno;
    if (id > 0) {
        uint32_t closing = (uint32_t)id;
        ioctl(dev_fd, DENYFS_DEV_IOC_BACKING_CLOSE, &closing);
    }
    close(fd);
    return res;
}

/*
 * INIT's reply, made whole: libfuse 2.9's ends at max_write and knows no flags2. Asks for
 * passthrough and leaves out the writeback cache, which the kernel will not combine with it.
 */
static int send_init(struct filter *f, const struct iovec iov[]) {
    struct fuse_out_header out;
    struct denyfs_init_out init;
    memcpy(&out, iov[0].iov_base, sizeof(out));
    memset(&init, 0, sizeof(init));
    memcpy(&init, iov[1].iov_base, iov[1].iov_len < sizeof(init) ? iov[1].iov_len : sizeof(init));
    init.flags = (init.flags | DENYFS_FUSE_INIT_EXT) & ~DENYFS_FUSE_WRITEBACK_CACHE;
    if (current.init_offers_killpriv_v2) {
        init.flags |= DENYFS_FUSE_HANDLE_KILLPRIV_V2;
    }
    init.flags2 |= DENYFS_FUSE_PASSTHROUGH_FLAGS2;
    init.max_stack_depth = f->stack_depth;
    out.len = sizeof(out) + sizeof(init);
    struct iovec whole[2] = {{&out, sizeof(out)}, {&init, sizeof(init)}};
    /* before the send: once the kernel has the reply, other workers serve requests that ask */
    __atomic_store_n(&f->killpriv_v2, (init.flags & DENYFS_FUSE_HANDLE_KILLPRIV_V2) != 0, __ATOMIC_RELEASE);
    int res = fuse_chan_send(f->kernel, whole, 2);
    if (res != 0) {
        __atomic_store_n(&f->killpriv_v2, 0, __ATOMIC_RELEASE);
    }
    decide(f, res == 0 ? probe_backing_open(f->dev_fd) : res);
    return res;
}

/* The largest argument rewritten: CREATE's entry and open replies. */
#define MAX_FILTERED (sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out))

static int filtered_send(struct fuse_chan *ch, const struct iovec iov[], size_t count) {
    struct filter *f = fuse_chan_data(ch);
    struct fuse_chan *kernel = f->kernel;
    /* fuse_reply_none (FORGET, an interrupted request) passes no iov at all: there is nothing to send */
    if (count != 2 || iov == NULL) {
        return fuse_chan_send(kernel, iov, count);
    }
    const struct fuse_out_header *out = iov[0].iov_base;
    if (current.opcode == FUSE_INIT && out->unique == current.unique) {
        if (out->error == 0 && f->stack_depth > 0 && current.init_offers_passthrough) {
            return send_init(f, iov);
        }
        int res;
        if (out->error == 0 && current.init_offers_killpriv_v2
                && iov[1].iov_len >= offsetof(struct fuse_init_out, flags) + sizeof(uint32_t)
                && iov[1].iov_len <= sizeof(struct fuse_init_out)) {
            /* libfuse's own 24-byte reply, with the one flag added */
            struct fuse_init_out init;
            memcpy(&init, iov[1].iov_base, iov[1].iov_len);
            init.flags |= DENYFS_FUSE_HANDLE_KILLPRIV_V2;
            struct iovec copy[2] = {iov[0], {&init, iov[1].iov_len}};
            __atomic_store_n(&f->killpriv_v2, 1, __ATOMIC_RELEASE); /* before the send, as in send_init */
            res = fuse_chan_send(kernel, copy, 2);
            if (res != 0) {
                __atomic_store_n(&f->killpriv_v2, 0, __ATOMIC_RELEASE);
            }
        } else {
            res = fuse_chan_send(kernel, iov, count);
        }
        decide(f, f->stack_depth == 0 ? PT_NOT_ASKED : PT_NOT_OFFERED);
        return res;
    }
    if (out->error != 0 || out->unique != current.unique || iov[1].iov_len > MAX_FILTERED) {
        return fuse_chan_send(kernel, iov, count);
    }
    char arg[MAX_FILTERED];
    memcpy(arg, iov[1].iov_base, iov[1].iov_len);
    filter(arg, iov[1].iov_len);
    struct iovec copy[2] = {iov[0], {arg, iov[1].iov_len}};
    int res = fuse_chan_send(kernel, copy, 2);
    if (res == 0 && current.opcode == FUSE_LINK && current.link_from != 0) {
        /* off < 0: attributes only, the page cache stays. */
        if (fuse_lowlevel_notify_inval_inode(kernel, current.link_from, -1, 0) == 0) {
            __atomic_add_fetch(&invalidated_links, 1, __ATOMIC_RELAXED);
        }
    }
    return res;
}

static void keep_fd(struct fuse_chan *ch) {
    (void)ch; /* the fd belongs to the session's own channel; the filter lives as long as the process */
}

static struct fuse_chan_ops filtered_ops = {.send = filtered_send, .destroy = keep_fd};

/**
 * A channel that sends through {@code kernel} after filtering. Receives nothing itself.
 * {@code stack_depth} > 0 asks the kernel for passthrough with that max_stack_depth (1 over a
 * plain file system, 2 over a stacked one such as overlayfs); 0 does not ask.
 * {@code daemon_fgetattr} is the daemon's fgetattr, which denyfs_fuse_fgetattr_entry() stands in front of.
 */
EXPORT struct fuse_chan *denyfs_fuse_filter(struct fuse_chan *kernel, uint32_t stack_depth,
                                            int (*daemon_fgetattr)(const char *, struct stat *, void *)) {
    struct filter *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return NULL;
    }
    f->kernel = kernel;
    f->daemon_fgetattr = daemon_fgetattr;
    f->dev_fd = fuse_chan_fd(kernel);
    f->stack_depth = stack_depth;
    f->state = PT_PENDING;
    pthread_mutex_init(&f->lock, NULL);
    /* the INIT wait's deadline on the monotonic clock: a clock step must not stretch or cut it */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&f->decided, &attr);
    pthread_condattr_destroy(&attr);
    struct fuse_chan *ch = fuse_chan_new(&filtered_ops, f->dev_fd, fuse_chan_bufsize(kernel), f);
    if (ch == NULL) {
        free(f);
    }
    return ch;
}

/**
 * Whether this mount's opens may pass through: PT_ON (1), PT_NOT_ASKED (2), PT_NOT_OFFERED (3:
 * the kernel's INIT did not offer it), the probe's -errno, or PT_PENDING (0) if INIT's reply has
 * not been sent within {@code timeout_ms}.
 */
EXPORT int denyfs_fuse_passthrough_state(struct fuse_chan *filtered, int timeout_ms) {
    struct filter *f = fuse_chan_data(filtered);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&f->lock);
    while (f->state == PT_PENDING) {
        if (pthread_cond_timedwait(&f->decided, &f->lock, &until) != 0) {
            break;
        }
    }
    int state = f->state;
    pthread_mutex_unlock(&f->lock);
    return state;
}

/** FUSE_DEV_IOC_BACKING_OPEN: a backing id (> 0) for the open file {@code fd}, or -errno. */
EXPORT int denyfs_fuse_backing_open(struct fuse_chan *filtered, int fd) {
    struct filter *f = fuse_chan_data(filtered);
    struct denyfs_backing_map map = {.fd = fd};
    int id = ioctl(f->dev_fd, DENYFS_DEV_IOC_BACKING_OPEN, &map);
    return id > 0 ? id : (id == 0 ? -EIO : -errno);
}

/** FUSE_DEV_IOC_BACKING_CLOSE: the id goes; files the kernel opened with it keep their backing file. */
EXPORT int denyfs_fuse_backing_close(struct fuse_chan *filtered, int id) {
    struct filter *f = fuse_chan_data(filtered);
    uint32_t closing = (uint32_t)id;
    return ioctl(f->dev_fd, DENYFS_DEV_IOC_BACKING_CLOSE, &closing) == 0 ? 0 : -errno;
}

/** Called by the daemon while it answers an OPEN or CREATE: the kernel is to pass its I/O to {@code id}. */
EXPORT void denyfs_fuse_passthrough(int32_t id) {
    current.backing_id = id;
}

/*
 * libfuse's fgetattr entry while the filter is loaded. With auto_cache, libfuse 2.9 asks fgetattr at
 * every OPEN of a node it has seen before (open_auto_cache), to decide FOPEN_KEEP_CACHE. An OPEN
 * that passes through has no FUSE pages to keep, and the filter drops KEEP_CACHE from its reply
 * anyway (the kernel refuses it with passthrough), so its answer is never used: the check is
 * answered here, without the upcall into the daemon and its fstat. On an error libfuse leaves
 * KEEP_CACHE off for this open and keeps the size and mtime it last saw (from LOOKUP or GETATTR),
 * which a later OPEN that does not pass through compares with the daemon's answer as before.
 * Everything else (CREATE's attributes, fstat on an open file, OPENs that do not pass through)
 * goes to the daemon.
 */
static int denyfs_fuse_fgetattr(const char *path, struct stat *st, void *fi) {
    if (current.opcode == FUSE_OPEN && current.backing_id > 0) {
        __atomic_add_fetch(&auto_cache_checks_spared, 1, __ATOMIC_RELAXED);
        return -EAGAIN;
    }
    struct filter *f = current.filter;
    return f != NULL && f->daemon_fgetattr != NULL ? f->daemon_fgetattr(path, st, fi) : -EIO;
}

/** The address to put in fuse_operations.fgetattr: denyfs_fuse_fgetattr. */
EXPORT void *denyfs_fuse_fgetattr_entry(void) {
    return (void *)denyfs_fuse_fgetattr;
}

/** fuse_session_process_buf, with replies through {@code filtered} (from denyfs_fuse_filter). */
EXPORT void denyfs_fuse_process(struct fuse_session *se, const struct fuse_buf *buf, struct fuse_chan *filtered) {
    memset(&current, 0, sizeof(current));
    current.filter = fuse_chan_data(filtered);
    if (!(buf->flags & FUSE_BUF_IS_FD) && buf->size >= sizeof(struct fuse_in_header)) {
        const struct fuse_in_header *in = buf->mem;
        current.unique = in->unique;
        current.nodeid = in->nodeid;
        current.opcode = in->opcode;
        if (in->opcode == FUSE_INIT && buf->size >= sizeof(*in) + 5 * sizeof(uint32_t)) {
            /* fuse_init_in: major, minor, max_readahead, flags, then flags2 when flags has FUSE_INIT_EXT */
            const uint32_t *init = (const uint32_t *)(in + 1);
            current.init_offers_passthrough = (init[3] & DENYFS_FUSE_INIT_EXT) && (init[4] & DENYFS_FUSE_PASSTHROUGH_FLAGS2);
            current.init_offers_killpriv_v2 = (init[3] & DENYFS_FUSE_HANDLE_KILLPRIV_V2) != 0;
        }
        current.kill_suidgid = asks_kill_suidgid(in, in->len < buf->size ? in->len : buf->size);
        if (in->opcode == FUSE_LINK && buf->size >= sizeof(*in) + sizeof(struct fuse_link_in)) {
            current.link_from = ((const struct fuse_link_in *)(in + 1))->oldnodeid;
        }
        if (in->opcode == FUSE_RENAME && in->len <= buf->size
                && in->len > sizeof(*in) + sizeof(struct fuse_rename_in)) {
            /* struct fuse_rename_in, then "oldname\0newname\0" */
            const char *old = (const char *)(in + 1) + sizeof(struct fuse_rename_in);
            const char *end = (const char *)in + in->len;
            const char *nul = memchr(old, 0, end - old);
            if (nul != NULL && nul + 1 < end && memchr(nul + 1, 0, end - nul - 1) != NULL) {
                current.rename_to = nul + 1;
            }
        }
    }
    fuse_session_process_buf(se, buf, filtered);
    current.opcode = 0;
}

/**
 * While the daemon answers a WRITE, SETATTR, OPEN or CREATE: 1 if the kernel asked it to kill the
 * file's set-id bits (FUSE_WRITE_KILL_SUIDGID, FATTR_KILL_SUIDGID, FUSE_OPEN_KILL_SUIDGID).
 */
EXPORT int denyfs_fuse_kill_suidgid(void) {
    return current.kill_suidgid;
}

/** 1 once INIT's reply told the kernel that the daemon kills set-id bits (FUSE_HANDLE_KILLPRIV_V2). */
EXPORT int denyfs_fuse_killpriv_v2(struct fuse_chan *filtered) {
    struct filter *f = fuse_chan_data(filtered);
    return __atomic_load_n(&f->killpriv_v2, __ATOMIC_ACQUIRE);
}

/** Called by the daemon while it answers an OPEN or CREATE of a file that needs no FLUSH at close. */
EXPORT void denyfs_fuse_no_flush(void) {
    current.no_flush = 1;
}

/** Called by the daemon while it answers for a node whose name and attributes must not be cached. */
EXPORT void denyfs_fuse_uncached(void) {
    current.uncached = 1;
}

/**
 * The opcode of the request this thread is processing (0 outside one), and for a RENAME its new
 * name: libfuse renames an open file to a hidden name both when it is unlinked and when a rename
 * replaces it, and the daemon must know which (see kernel.passthrough.HiddenFiles).
 */
EXPORT uint32_t denyfs_fuse_opcode(void) {
    return current.opcode;
}

/** The FUSE node the request this thread is processing is about (for OPEN: the file's own). */
EXPORT uint64_t denyfs_fuse_nodeid(void) {
    return current.nodeid;
}

EXPORT const char *denyfs_fuse_rename_to(void) {
    return current.rename_to;
}

/**
 * Replies rewritten so far: [0] attributes left uncached, [1] LINKs invalidated, [2] opens without
 * FLUSH, [3] opens passed through; [4] auto_cache checks of passed-through OPENs answered here.
 */
EXPORT void denyfs_fuse_counters(unsigned long out[5]) {
    out[0] = __atomic_load_n(&uncached_links, __ATOMIC_RELAXED);
    out[1] = __atomic_load_n(&invalidated_links, __ATOMIC_RELAXED);
    out[2] = __atomic_load_n(&no_flush_opens, __ATOMIC_RELAXED);
    out[3] = __atomic_load_n(&passthrough_opens, __ATOMIC_RELAXED);
    out[4] = __atomic_load_n(&auto_cache_checks_spared, __ATOMIC_RELAXED);
}

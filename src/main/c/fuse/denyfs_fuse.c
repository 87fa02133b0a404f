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
 *
 * Everything else passes through untouched. Replies are sent by the thread that processes the
 * request (the high-level library never replies from elsewhere), so what the filter needs to know
 * of the request rides in thread-local storage.
 */
#define _GNU_SOURCE
#include <linux/fuse.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#ifndef FOPEN_NOFLUSH
#define FOPEN_NOFLUSH (1 << 5)
#endif

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

/* What the reply filter knows of the request this thread is processing. */
struct request {
    uint64_t unique;
    uint32_t opcode;
    uint64_t link_from; /* LINK: the node whose nlink grew */
    const char *rename_to; /* RENAME: the new name, in the request buffer */
    int no_flush;       /* set by the daemon while it answers an OPEN or CREATE */
    int uncached;       /* set by the daemon while it answers for a node that must not be cached */
};
static __thread struct request current;

/* Counters for the status view and the tests: replies rewritten, by rule. */
static unsigned long uncached_links, invalidated_links, no_flush_opens;

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
        break;
    case FUSE_OPEN:
        if (current.no_flush && len >= sizeof(struct fuse_open_out)) {
            ((struct fuse_open_out *)arg)->open_flags |= FOPEN_NOFLUSH;
            __atomic_add_fetch(&no_flush_opens, 1, __ATOMIC_RELAXED);
        }
        break;
    }
}

/* The largest argument rewritten: CREATE's entry and open replies. */
#define MAX_FILTERED (sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out))

static int filtered_send(struct fuse_chan *ch, const struct iovec iov[], size_t count) {
    struct fuse_chan *kernel = fuse_chan_data(ch);
    /* fuse_reply_none (FORGET, an interrupted request) passes no iov at all: there is nothing to send */
    if (count != 2 || iov == NULL) {
        return fuse_chan_send(kernel, iov, count);
    }
    const struct fuse_out_header *out = iov[0].iov_base;
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
    (void)ch; /* the fd belongs to the session's own channel */
}

static struct fuse_chan_ops filtered_ops = {.send = filtered_send, .destroy = keep_fd};

/** A channel that sends through {@code kernel} after filtering. Receives nothing itself. */
EXPORT struct fuse_chan *denyfs_fuse_filter(struct fuse_chan *kernel) {
    return fuse_chan_new(&filtered_ops, fuse_chan_fd(kernel), fuse_chan_bufsize(kernel), kernel);
}

/** fuse_session_process_buf, with replies through {@code filtered} (from denyfs_fuse_filter). */
EXPORT void denyfs_fuse_process(struct fuse_session *se, const struct fuse_buf *buf, struct fuse_chan *filtered) {
    memset(&current, 0, sizeof(current));
    if (!(buf->flags & FUSE_BUF_IS_FD) && buf->size >= sizeof(struct fuse_in_header)) {
        const struct fuse_in_header *in = buf->mem;
        current.unique = in->unique;
        current.opcode = in->opcode;
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

EXPORT const char *denyfs_fuse_rename_to(void) {
    return current.rename_to;
}

/** Replies rewritten so far: [0] attributes left uncached, [1] LINKs invalidated, [2] opens without FLUSH. */
EXPORT void denyfs_fuse_counters(unsigned long out[3]) {
    out[0] = __atomic_load_n(&uncached_links, __ATOMIC_RELAXED);
    out[1] = __atomic_load_n(&invalidated_links, __ATOMIC_RELAXED);
    out[2] = __atomic_load_n(&no_flush_opens, __ATOMIC_RELAXED);
}

package org.denyfs.kernel.passthrough;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.kernel.natives.Libc;

/**
 * A FUSE worker acts as the process behind each request that creates, removes or changes a backing
 * entry: its fsuid, fsgid, supplementary groups and umask are the caller's for the length of the
 * call, so the backing file system applies its own rules exactly as it does for that process
 * natively: the owner and group of a new entry (a setgid directory's group included), set-id bits
 * kept or stripped, sticky directories, every permission errno. A root daemon that acted as itself
 * and chowned afterwards got several of these wrong (chown(2) clears set-id bits; a setgid
 * directory's group was replaced by the caller's).
 *
 * <p>Why this is safe in a JVM: fsuid and fsgid are per thread in Linux (glibc's setfsuid() does not
 * broadcast to other threads), and the groups are set with the raw setgroups syscall, which also
 * changes the calling thread only (glibc's wrapper would change every thread). The umask is per
 * {@code fs_struct}: a thread unshares its own before it first acts as a caller, so it can take each
 * caller's umask without touching the rest of the JVM's. With FUSE_CAP_DONT_MASK the kernel hands the mode and the umask over
 * unmasked, and the backing file system applies the umask, or a default ACL instead, as natively.
 *
 * <p>Read-only requests (GETATTR, OPEN of an existing file, READ, GETXATTR) need none of this: the
 * kernel has checked the caller's permission on the mount's own inode (default_permissions) before
 * the request is sent. A daemon that is not root acts as itself.
 */
final class Credentials {
    private static final Logger LOG = LogManager.getLogger(Credentials.class);
    private static final Libc LIBC = Libc.INSTANCE;
    private static final long SYS_SETGROUPS = 116;
    private static final int CLONE_FS = 0x200;

    /** Only root can take on another user's identity; anyone else acts as itself. */
    static final boolean ROOT = LIBC.getuid() == 0;
    private static final int[] DAEMON_GROUPS = daemonGroups();
    private static final jnr.ffi.Pointer DAEMON_GROUP_LIST = groupList(DAEMON_GROUPS);
    /** False if a worker could not unshare its fs_struct: the umask is then applied by hand. */
    private static volatile boolean perThreadUmask = true;

    private static final ThreadLocal<Scope> SCOPE = ThreadLocal.withInitial(Scope::new);

    private Credentials() {}

    /**
     * Gives the calling thread its own umask, once, before it first takes a caller's. Where unshare
     * is refused (a seccomp filter), the process umask becomes 0 and each create applies the
     * caller's umask to the mode itself (default ACLs are then not honoured).
     */
    private static void ownUmask() {
        if (perThreadUmask && LIBC.unshare(CLONE_FS) != 0) {
            perThreadUmask = false;
            LIBC.umask(0);
            LOG.warn("unshare(CLONE_FS) failed (errno {}): the caller's umask is applied by denyfs, not by the backing file system", Libc.errno());
        }
    }

    /** The mode to pass to a create: as given, unless the umask cannot be the thread's own. */
    static int createMode(int mode, int umask) {
        return perThreadUmask ? mode : mode & ~umask;
    }

    /**
     * Acts as {@code caller} with {@code umask} until the returned scope is closed (use
     * try-with-resources; the scope is this thread's own, so nothing is allocated).
     */
    static Scope as(Caller caller, int umask) {
        Scope s = SCOPE.get();
        s.enter(caller, umask);
        return s;
    }

    /** One thread's identity change; close() restores the daemon's. */
    static final class Scope implements AutoCloseable {
        private boolean switched;
        /** This thread has its own fs_struct (umask) by now. */
        private boolean ownFs;

        private void enter(Caller caller, int umask) {
            if (!ownFs) {
                ownUmask();
                ownFs = true;
            }
            if (perThreadUmask) {
                LIBC.umask(umask & 0777);
            }
            switched = ROOT && (caller.uid() != 0 || caller.gid() != 0);
            if (!switched) {
                return;
            }
            int[] groups = groupsOf(caller.pid());
            jnr.ffi.Pointer list = groupList(groups);
            long rc = LIBC.syscall(SYS_SETGROUPS, groups.length, list.address(), 0, 0);
            java.lang.ref.Reference.reachabilityFence(list); // jnr frees it once collected
            if (rc != 0) {
                int errno = Libc.errno();
                restore();
                throw new ErrnoException(Errno.EPERM, "setgroups for uid " + caller.uid() + ": errno " + errno);
            }
            LIBC.setfsgid(caller.gid());
            LIBC.setfsuid(caller.uid());
            // setfsuid() reports the previous value, not success: ask again to know.
            if (LIBC.setfsuid(-1) != caller.uid() || LIBC.setfsgid(-1) != caller.gid()) {
                restore();
                throw new ErrnoException(Errno.EPERM, "could not act as uid " + caller.uid() + " gid " + caller.gid());
            }
        }

        @Override
        public void close() {
            if (switched) {
                switched = false;
                restore();
            }
        }

        private static void restore() {
            LIBC.setfsuid(0);
            LIBC.setfsgid(0);
            LIBC.syscall(SYS_SETGROUPS, DAEMON_GROUPS.length, DAEMON_GROUP_LIST.address(), 0, 0);
        }
    }

    /** CAP_SYS_ADMIN, the right to see trusted.* extended attributes. */
    private static final int CAP_SYS_ADMIN = 21;

    /**
     * Whether the thread behind a request holds CAP_SYS_ADMIN (from CapEff in its status). The
     * daemon keeps its own while it acts as a caller (it is no file-system capability), so the
     * backing file system would list trusted.* attributes that the caller may not see.
     */
    static boolean hasSysAdmin(int tid) {
        return hasCapability(tid, CAP_SYS_ADMIN);
    }

    /**
     * Whether the thread {@code tid} holds capability {@code cap} as the kernel's capable() means it:
     * in its effective set (/proc/TID/status CapEff) and in the daemon's user namespace, which for a
     * root daemon is the initial one (a container's root has its capabilities in its own namespace
     * only). False when the thread has gone.
     */
    static boolean hasCapability(int tid, int cap) {
        String text = status(tid);
        int at = text.indexOf("\nCapEff:");
        if (at < 0) {
            return false;
        }
        int end = text.indexOf('\n', at + 1);
        long caps = Long.parseUnsignedLong(text.substring(at + 8, end < 0 ? text.length() : end).trim(), 16);
        return (caps & (1L << cap)) != 0 && inDaemonsUserNamespace(tid);
    }

    private static boolean inDaemonsUserNamespace(int tid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + tid + "/ns/user"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")));
        } catch (IOException | UnsupportedOperationException gone) {
            return false;
        }
    }

    /** Whether the thread {@code tid} is in group {@code gid}: its fsgid or a supplementary group (in_group_p). */
    static boolean inGroup(int tid, int fsgid, int gid) {
        if (fsgid == gid) {
            return true;
        }
        for (int g : groupsOf(tid)) {
            if (g == gid) {
                return true;
            }
        }
        return false;
    }

    private static String status(int tid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + tid + "/task/" + tid + "/status")), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return ""; // the process has gone: no rights, no groups
        }
    }

    /**
     * The supplementary groups of the thread behind a request (FUSE passes its thread id), as
     * libfuse's fuse_getgroups() reads them. A process that has gone gets none.
     */
    static int[] groupsOf(int tid) {
        String text = status(tid);
        int at = text.indexOf("\nGroups:");
        if (at < 0) {
            return new int[0];
        }
        int end = text.indexOf('\n', at + 1);
        String[] words = text.substring(at + 8, end < 0 ? text.length() : end).trim().split("\\s+");
        if (words.length == 1 && words[0].isEmpty()) {
            return new int[0];
        }
        int[] groups = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            groups[i] = (int) Long.parseLong(words[i]);
        }
        return groups;
    }

    private static int[] daemonGroups() {
        int n = LIBC.getgroups(0, null);
        int[] groups = new int[Math.max(n, 0)];
        if (n > 0 && LIBC.getgroups(n, groups) != n) {
            return new int[0];
        }
        return groups;
    }

    private static jnr.ffi.Pointer groupList(int[] groups) {
        jnr.ffi.Pointer p = jnr.ffi.Memory.allocateDirect(Libc.RUNTIME, Math.max(groups.length, 1) * Integer.BYTES, true);
        p.put(0, groups, 0, groups.length);
        return p;
    }
}

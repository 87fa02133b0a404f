package org.denyfs.user.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.denyfs.abi.MountTable;

/**
 * One request on a control handle of its own, opened O_NONBLOCK, whose reply is waited for in
 * poll(2): the daemon answers READ with EAGAIN until the reply is there and wakes the handle through
 * FUSE POLL, so no daemon thread waits with the caller ("wait TICKET" after a FINIT ioctl that
 * would wait for another caller's load). {@link Client}'s blocking FileChannel cannot do this: Java
 * channels on files never open O_NONBLOCK.
 */
final class NonBlockingRequest {
    private static final int O_RDWR = 02;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int EIO = 5;
    private static final short POLLIN = 1;
    /** A reply longer than this is no reply of the protocol's. */
    private static final int MAX_REPLY = 64 * 1024;

    private NonBlockingRequest() {
    }

    static String send(Path mount, String line) throws IOException {
        Sys sys = Holder.SYS;
        Runtime rt = Runtime.getRuntime(sys);
        String control = mount.resolve(MountTable.CONTROL).toString();
        int fd = sys.open(control, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            throw new Client.SyscallFailed(LastError.getLastError(rt), control);
        }
        try {
            byte[] request = (line + "\n").getBytes(StandardCharsets.UTF_8);
            int written = sys.write(fd, request, request.length);
            if (written != request.length) {
                // errno is only set by a failed write; a short one (the daemon takes whole lines) is EIO
                throw new Client.SyscallFailed(written < 0 ? LastError.getLastError(rt) : EIO,
                        control + ": write of '" + line + "'");
            }
            byte[] buf = new byte[8192];
            StringBuilder reply = new StringBuilder();
            Pointer pollfd = Memory.allocateDirect(rt, 8, true);
            while (reply.length() == 0 || reply.charAt(reply.length() - 1) != '\n') {
                int n = sys.read(fd, buf, buf.length);
                if (n > 0) {
                    reply.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    if (reply.length() > MAX_REPLY) {
                        throw new Client.SyscallFailed(EIO, control + ": a reply of over " + MAX_REPLY + " bytes");
                    }
                    continue;
                }
                int e = n < 0 ? LastError.getLastError(rt) : EIO;
                if (e != EAGAIN && e != EINTR) {
                    throw new Client.SyscallFailed(e, control + ": read");
                }
                pollfd.putInt(0, fd);
                pollfd.putShort(4, POLLIN);
                pollfd.putShort(6, (short) 0);
                if (sys.poll(pollfd, 1, -1) < 0) {
                    int pe = LastError.getLastError(rt);
                    if (pe != EINTR) { // EINTR: read again
                        throw new Client.SyscallFailed(pe, control + ": poll");
                    }
                }
            }
            return reply.substring(0, reply.length() - 1);
        } finally {
            sys.close(fd);
        }
    }

    /** The libc calls of a non-blocking request, bound with jnr-ffi on first use only. */
    public interface Sys {
        int open(String path, int flags);

        int close(int fd);

        int read(int fd, byte[] buf, long count);

        int write(int fd, byte[] buf, long count);

        /** poll(2) of {@code nfds} struct pollfd {int fd; short events; short revents;} at {@code fds}. */
        int poll(Pointer fds, long nfds, int timeout);
    }

    private static final class Holder {
        static final Sys SYS = LibraryLoader.create(Sys.class).load("c");
    }
}

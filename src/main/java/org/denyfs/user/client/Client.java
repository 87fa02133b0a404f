package org.denyfs.user.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.denyfs.abi.MountTable;

/**
 * A control-file client: one open handle, one request line at a time, one reply line each. The
 * handle is the holder of every deny taken through it, so keep the client open for as long as the
 * deny should last, and close it (or exit) to give them all back.
 */
public final class Client implements AutoCloseable {
    private final Path mount;
    private final FileChannel channel;

    private Client(Path mount, FileChannel channel) {
        this.mount = mount;
        this.channel = channel;
    }

    public static Client open(Path mount) throws IOException {
        return new Client(mount, FileChannel.open(mount.resolve(MountTable.CONTROL),
                StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /** The denyfs mount holding {@code file}; IOException naming the file if there is none. */
    public static Path mountOf(Path file) throws IOException {
        return MountTable.mountOf(file).orElseThrow(() -> new IOException(file + ": not on a denyfs mount"));
    }

    /** {@code file} as the control protocol names it: relative to the mount root. */
    public String relative(Path file) {
        return "/" + mount.relativize(file.toAbsolutePath().normalize());
    }

    /** Sends one request and returns its reply line, without the newline. */
    public synchronized String request(String line) throws IOException {
        return request(line, ByteBuffer.allocate(0));
    }

    /**
     * Sends one request line followed by {@code body} (the image of "init LEN [PARAMS]") and returns
     * its reply line, without the newline.
     */
    public synchronized String request(String line, ByteBuffer body) throws IOException {
        if (line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one line per request");
        }
        ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
        while (body.hasRemaining()) {
            channel.write(body);
        }
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        StringBuilder reply = new StringBuilder();
        while (true) {
            in.clear();
            int n = channel.read(in);
            if (n <= 0) {
                break;
            }
            reply.append(new String(in.array(), 0, n, StandardCharsets.UTF_8));
            if (reply.charAt(reply.length() - 1) == '\n') {
                break;
            }
        }
        int end = reply.length() > 0 && reply.charAt(reply.length() - 1) == '\n' ? reply.length() - 1 : reply.length();
        return reply.substring(0, end);
    }

    /**
     * Sends one request on a control handle of its own, opened O_NONBLOCK, and waits for its reply
     * in poll(2), so that no daemon thread waits with the caller (see NonBlockingRequest).
     *
     * @throws SyscallFailed with the errno of the open, write, read or poll that failed
     */
    public static String requestWithoutBlocking(Path mount, String line) throws IOException {
        if (line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one line per request");
        }
        return NonBlockingRequest.send(mount, line);
    }

    /** A system call on the control file failed: its errno, and what was being done. */
    public static final class SyscallFailed extends IOException {
        private final int errno;

        SyscallFailed(int errno, String what) {
            super(what + ": errno " + errno);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /** Sends one request and returns its reply, parsed. */
    public Reply call(String line) throws IOException {
        return Reply.parse(request(line));
    }

    /** A reply line: {@code ok [VALUE]}, or {@code err ERRNO message} (errno as its name, ETXTBSY). */
    public record Reply(boolean ok, String value, String errno, String message) {
        public static Reply parse(String line) {
            if (line.equals("ok") || line.startsWith("ok ")) {
                return new Reply(true, line.length() > 3 ? line.substring(3) : "", null, null);
            }
            String[] err = line.split(" ", 3);
            if (err.length >= 2 && err[0].equals("err")) {
                return new Reply(false, null, err[1], err.length > 2 ? err[2] : "");
            }
            return new Reply(false, null, "EIO", "malformed reply '" + line + "'");
        }
    }

    public Path mount() {
        return mount;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package org.denyfs.control;

import java.nio.ByteBuffer;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * An init_module(2) image arriving on a control handle: "init LEN [PARAMS]\n" then LEN raw bytes.
 * The bytes go straight into an off-heap buffer, the daemon's stand-in for the user memory the
 * syscall would copy from.
 */
final class Upload {
    /** Larger images are refused before anything is buffered. */
    static final long MAX_IMAGE = 1L << 30;

    private final ByteBuffer image;
    private final String params;
    private final ModuleCalls modules;

    private Upload(ByteBuffer image, String params, ModuleCalls modules) {
        this.image = image;
        this.params = params;
        this.modules = modules;
    }

    static Upload parse(String line, ModuleCalls modules) {
        String[] parts = line.split(" ", 3);
        long len;
        try {
            len = Long.parseLong(parts[1]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new ErrnoException(Errno.EINVAL, "init: LEN must be a byte count");
        }
        if (len < 0 || len > MAX_IMAGE) {
            throw new ErrnoException(Errno.EFBIG, "init: LEN " + len + " out of range (0.." + MAX_IMAGE + ")");
        }
        return new Upload(ByteBuffer.allocateDirect((int) len), parts.length > 2 ? parts[2] : "", modules);
    }

    /** Copies what belongs to the image from {@code data[from..]}; returns where the rest starts. */
    int take(byte[] data, int from) {
        int n = Math.min(image.remaining(), data.length - from);
        image.put(data, from, n);
        return from + n;
    }

    boolean complete() {
        return !image.hasRemaining();
    }

    String run(Caller caller) {
        try {
            image.flip();
            modules.init(caller, image, params);
            return "ok 0";
        } catch (ErrnoException e) {
            return Session.error(e);
        }
    }
}

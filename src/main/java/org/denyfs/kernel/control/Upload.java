package org.denyfs.kernel.control;

import org.denyfs.abi.Abi;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * An init_module(2) image arriving on a control handle: "init LEN [PARAMS]\n" then LEN raw bytes.
 * The bytes go straight into the kernel's copy ({@link ImageUpload}), whose memory is checked
 * against the caller's permission and the memory limits before anything is allocated. A refused
 * upload still owns the LEN bytes that follow its line: they are skipped, never stored and never
 * read as requests. Not thread-safe: the session's lock guards it.
 */
final class Upload {
    private final ImageUpload image;
    private final String params;
    /** Bytes still to skip, for a refused upload (image is null then). */
    private long skip;

    private Upload(ImageUpload image, long skip, String params) {
        this.image = image;
        this.skip = skip;
        this.params = params;
    }

    /** LEN of an "init LEN [PARAMS]" line; EINVAL if it is not a byte count (then nothing is skipped). */
    static long length(String line) {
        String[] parts = line.split(" ", 3);
        long len;
        try {
            len = Long.parseLong(parts[1]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new ErrnoException(Errno.EINVAL, "init: LEN must be a byte count");
        }
        if (len < 0) {
            throw new ErrnoException(Errno.EINVAL, "init: LEN " + len + " is negative");
        }
        return len;
    }

    /** Starts the upload of a line whose LEN parsed; throws the kernel's refusal (see {@link ModuleCalls#beginInit}). */
    static Upload start(String line, long len, Caller caller, ModuleCalls modules) {
        String[] parts = line.split(" ", 3);
        return new Upload(modules.beginInit(caller, len), 0, parts.length > 2 ? parts[2] : "");
    }

    /** A refused upload: its LEN bytes are skipped. */
    static Upload refused(long len) {
        return new Upload(null, len, "");
    }

    /** True for an upload that will load (and holds a place in the handle's backlog until it runs). */
    boolean accepted() {
        return image != null;
    }

    /** Takes what belongs to the image from {@code data[from..]}; returns where the rest starts. */
    int take(byte[] data, int from) {
        if (image != null) {
            return from + image.put(data, from);
        }
        int n = (int) Math.min(skip, data.length - from);
        skip -= n;
        return from + n;
    }

    boolean complete() {
        return image != null ? image.missing() == 0 : skip == 0;
    }

    /** Loads the complete image: the reply line. */
    String run() {
        try {
            image.load(params);
            return "ok 0";
        } catch (ErrnoException e) {
            return Session.error(e);
        } catch (RuntimeException e) {
            return Session.internalError(Abi.VERB_INIT, e);
        }
    }

    /** The handle went before the image was complete: its memory goes now. */
    void drop() {
        if (image != null) {
            image.close();
        }
    }
}

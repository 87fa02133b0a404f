package org.denyfs.kernel.control;

import java.nio.charset.StandardCharsets;

/**
 * Cuts the bytes written to one control handle into request lines, whatever the WRITE boundaries:
 * FUSE splits a write(2) larger than max_write (128 KiB) into several WRITE requests, so a line may
 * arrive in pieces and is joined here before it is decoded. A line longer than
 * {@link Request#MAX_LINE} bytes is not kept: its bytes are dropped up to its newline, wherever that
 * comes, and the line counts as one overlong request (one err reply), so no tail of it can run as a
 * request of its own.
 *
 * <p>A line ends at '\n', or at {@link #end()}: a final line without '\n' is a whole line once the
 * writer reads or closes the handle. Memory: at most {@link Request#MAX_LINE} bytes, however much is
 * written. Not thread-safe: the session guards it.
 */
final class RequestLines {
    /** A completed line: its text, or no text for one that was too long to keep. */
    record Line(String text) {
        static final Line OVERLONG = new Line(null);

        boolean overlong() {
            return text == null;
        }
    }

    private final byte[] line = new byte[Request.MAX_LINE];
    private int length;
    /** The current line is over the limit: its bytes are being dropped until its end. */
    private boolean overlong;
    private Line completed;

    /**
     * Takes the bytes of {@code data[from..]} up to and including the next '\n' and returns the index
     * after them; {@link #completed()} then has the line if the '\n' was among them.
     */
    int take(byte[] data, int from) {
        int i = from;
        while (i < data.length && data[i] != '\n') {
            i++;
        }
        append(data, from, i - from);
        if (i < data.length) {
            finish();
            return i + 1;
        }
        return i;
    }

    /** The writer reads or closes: a line without its '\n' is a whole line now. */
    void end() {
        if (length > 0 || overlong) {
            finish();
        }
    }

    /** The line the last {@link #take} or {@link #end} completed (once), or null. */
    Line completed() {
        Line c = completed;
        completed = null;
        return c;
    }

    /** Nothing is buffered: the next byte starts a line. */
    boolean atLineStart() {
        return length == 0 && !overlong;
    }

    private void append(byte[] data, int from, int n) {
        if (overlong) {
            return;
        }
        if (length + n > line.length) {
            overlong = true;
            length = 0;
            return;
        }
        System.arraycopy(data, from, line, length, n);
        length += n;
    }

    private void finish() {
        completed = overlong ? Line.OVERLONG : new Line(new String(line, 0, length, StandardCharsets.UTF_8));
        length = 0;
        overlong = false;
    }
}

package org.denyfs.kernel.control;

/**
 * The kernel's copy of an init_module image while a control handle streams it in: its memory is
 * taken (and counted against the caller's budget) before the first byte arrives, and given back
 * when the image is loaded or dropped. Implemented by {@link ModuleSyscalls} over the emulated kernel.
 * Not thread-safe: it belongs to one handle, whose lock guards it.
 */
public interface ImageUpload extends AutoCloseable {
    /** Copies up to {@link #missing()} bytes of {@code data[from..]}; returns how many it took. */
    int put(byte[] data, int from);

    /** Bytes still to come. */
    long missing();

    /** init_module(2) of the complete image: returns for 0, throws ErrnoException otherwise. Frees the memory. */
    void load(String params);

    /** Drops an image that will not be loaded (its handle went mid-upload): the memory is freed now. */
    @Override
    void close();
}

package org.denyfs.module;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * The emulated kernel's vmalloc(): real off-heap buffers for module images in flight, counted so
 * the daemon can report how much memory duplicate loads really cost ("bytes in flight now" and the
 * peak). Each {@link Region} is freed deterministically on {@link Region#close()}, as vfree() is,
 * rather than whenever the garbage collector notices the direct buffer.
 *
 * <p>Every change of the in-flight figure is also appended to a {@link InflightTrace}, so the herd
 * benchmark can draw bytes in flight over time. The counter and the trace change together under one
 * short lock (never held across a module buffer's allocation, a file read or the trace's formatting), so the timeline's order is the counter's
 * order; readers use the atomics without it. A region belongs to the one thread that loads the module.
 */
final class OffHeap {
    private static final Logger LOG = LogManager.getLogger(OffHeap.class);
    /** sun.misc.Unsafe.invokeCleaner(ByteBuffer), the only way Java 17 frees a direct buffer now. */
    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final InflightTrace trace = new InflightTrace();

    /** vmalloc(size): ENOMEM when the JVM has no direct memory left. */
    Region allocate(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative allocation " + size);
        }
        ByteBuffer buffer;
        try {
            buffer = ByteBuffer.allocateDirect(size);
        } catch (OutOfMemoryError e) {
            throw new ErrnoException(Errno.ENOMEM, "vmalloc of " + size + " bytes failed");
        }
        change(size);
        return new Region(buffer);
    }

    long inFlight() {
        return inFlight.get();
    }

    long peak() {
        return peak.get();
    }

    /** The text of the in-flight timeline (see {@link InflightTrace#text()}). */
    String traceText() {
        InflightTrace.Snapshot copy;
        synchronized (trace) {
            copy = trace.snapshot();
        }
        return copy.text();
    }

    private void change(long delta) {
        synchronized (trace) {
            long now = inFlight.addAndGet(delta);
            peak.accumulateAndGet(now, Math::max);
            trace.record(System.nanoTime(), now);
        }
    }

    /** One allocation. Not thread-safe: it belongs to the loading thread. */
    final class Region implements AutoCloseable {
        private ByteBuffer buffer;
        private final int size;
        private int length;

        private Region(ByteBuffer buffer) {
            this.buffer = buffer;
            this.size = buffer.capacity();
            this.length = size;
        }

        /** A view of the contents: position 0, limit {@link #length()}. Never use it after {@link #close()}. */
        ByteBuffer buffer() {
            if (buffer == null) {
                throw new IllegalStateException("use of a freed module buffer");
            }
            return buffer.duplicate().clear().limit(length);
        }

        /** Bytes allocated (what the in-flight figures count). */
        int size() {
            return size;
        }

        /** Bytes of content; equal to {@link #size()} unless {@link #truncate} shortened it. */
        int length() {
            return length;
        }

        /** Marks only the first {@code n} bytes as content, keeping the allocation as it is. */
        void truncate(int n) {
            if (n < 0 || n > size) {
                throw new IllegalArgumentException("truncate to " + n + " of " + size);
            }
            length = n;
        }

        /** vfree(): idempotent. */
        @Override
        public void close() {
            ByteBuffer b = buffer;
            if (b == null) {
                return;
            }
            buffer = null;
            change(-size);
            free(b);
        }
    }

    private static void free(ByteBuffer b) {
        if (INVOKE_CLEANER == null) {
            return; // the collector frees it later; the counters are already right
        }
        try {
            INVOKE_CLEANER.invokeExact(b);
        } catch (Throwable t) {
            LOG.warn("could not free a direct buffer at once: {}", t.toString());
        }
    }

    private static MethodHandle findCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("direct buffers will be freed by the garbage collector: {}", e.toString());
            return null;
        }
    }
}

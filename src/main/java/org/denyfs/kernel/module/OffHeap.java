package org.denyfs.kernel.module;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
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
 * <p>Every allocation is charged to the uid of the caller it is made for, and refused with ENOMEM
 * before anything is allocated when it would take one buffer over {@link MemoryLimits#maxImage()},
 * all callers over {@link MemoryLimits#maxInFlight()} or that uid over
 * {@link MemoryLimits#maxInFlightPerUid()}; the charge is returned when the region is closed.
 *
 * <p>Every change of the in-flight figure is also appended to a {@link InflightTrace}, so the herd
 * benchmark can draw bytes in flight over time. The counters and the trace change together under one
 * short lock (never held across a module buffer's allocation, a file read or the trace's formatting), so the timeline's order is the counter's
 * order; readers use the atomics without it. A region belongs to the one thread that loads the module.
 */
final class OffHeap {
    private static final Logger LOG = LogManager.getLogger(OffHeap.class);
    /** sun.misc.Unsafe.invokeCleaner(ByteBuffer), the only way Java 17 frees a direct buffer now. */
    private static final MethodHandle INVOKE_CLEANER = findCleaner();

    private final MemoryLimits limits;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    /** Guarded by {@link #trace}: bytes in flight per uid, entries only for uids holding some. */
    private final Map<Integer, Long> byUid = new HashMap<>();
    private final InflightTrace trace = new InflightTrace();

    OffHeap(MemoryLimits limits) {
        this.limits = limits;
    }

    /**
     * vmalloc(size) for a caller of {@code uid}: ENOMEM over a limit (nothing is allocated then) or
     * when the JVM has no direct memory left.
     */
    Region allocate(int size, int uid) {
        if (size < 0) {
            throw new IllegalArgumentException("negative allocation " + size);
        }
        reserve(size, uid);
        ByteBuffer buffer;
        try {
            buffer = ByteBuffer.allocateDirect(size);
        } catch (OutOfMemoryError e) {
            change(-size, uid);
            throw new ErrnoException(Errno.ENOMEM, "vmalloc of " + size + " bytes failed: " + e.getMessage());
        }
        return new Region(buffer, uid);
    }

    /** Charges {@code size} bytes to {@code uid}, or throws ENOMEM with the limit it would pass. */
    private void reserve(int size, int uid) {
        if (size > limits.maxImage()) {
            throw new ErrnoException(Errno.ENOMEM, "vmalloc of " + size + " bytes: over max_module_bytes="
                    + limits.maxImage());
        }
        synchronized (trace) {
            long mine = byUid.getOrDefault(uid, 0L);
            if (inFlight.get() + size > limits.maxInFlight()) {
                throw new ErrnoException(Errno.ENOMEM, "vmalloc of " + size + " bytes: " + inFlight.get()
                        + " bytes of module images in flight, max_inflight_bytes=" + limits.maxInFlight());
            }
            if (mine + size > limits.maxInFlightPerUid()) {
                throw new ErrnoException(Errno.ENOMEM, "vmalloc of " + size + " bytes: uid " + uid + " has " + mine
                        + " bytes of module images in flight, max_inflight_bytes_per_uid=" + limits.maxInFlightPerUid());
            }
            change(size, uid);
        }
    }

    long inFlight() {
        return inFlight.get();
    }

    /** Bytes in flight charged to {@code uid}. */
    long inFlight(int uid) {
        synchronized (trace) {
            return byUid.getOrDefault(uid, 0L);
        }
    }

    MemoryLimits limits() {
        return limits;
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

    private void change(long delta, int uid) {
        synchronized (trace) {
            byUid.merge(uid, delta, (a, b) -> a + b == 0 ? null : a + b);
            long now = inFlight.addAndGet(delta);
            peak.accumulateAndGet(now, Math::max);
            trace.record(System.nanoTime(), now);
        }
    }

    /** One allocation. Not thread-safe: it belongs to the loading thread. */
    final class Region implements AutoCloseable {
        private ByteBuffer buffer;
        private final int size;
        private final int uid;
        private int length;

        private Region(ByteBuffer buffer, int uid) {
            this.buffer = buffer;
            this.size = buffer.capacity();
            this.uid = uid;
            this.length = size;
        }

        /** The uid this region is charged to: a decompression of it is charged there too. */
        int uid() {
            return uid;
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
            free(b);
            change(-size, uid);
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

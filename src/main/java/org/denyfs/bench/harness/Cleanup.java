package org.denyfs.bench.harness;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Undo actions (unmount, kill child) run in reverse order exactly once, either by the normal
 * {@code finally} or by the JVM shutdown hook on Ctrl-C / SIGTERM - whichever comes first - so a
 * benchmark never leaves a mount behind.
 */
public final class Cleanup implements AutoCloseable {
    public interface Action {
        public void run() throws Exception;
    }

    /** One registered action: {@link #run()} executes it once; {@link #forget()} drops it unrun. */
    public final class Handle {
        private final String what;
        private final Action action;
        private final AtomicBoolean done = new AtomicBoolean();

        private Handle(String what, Action action) {
            this.what = what;
            this.action = action;
        }

        /**
         * Under the run lock, so a caller returns only once the action has completed - even when the
         * other thread (main or shutdown hook) got to it first. Otherwise the main thread could go on
         * to delete directories while the hook is still unmounting them.
         */
        public void run() {
            synchronized (runLock) {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                remove(this);
                try {
                    action.run();
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    synchronized (failures) {
                        failures.add(what + ": " + e.getMessage());
                    }
                }
            }
        }

        void forget() {
            if (done.compareAndSet(false, true)) {
                remove(this);
            }
        }
    }

    private final Object runLock = new Object();
    private final Deque<Handle> handles = new ArrayDeque<>();
    private final List<String> failures = new ArrayList<>();
    private volatile boolean stopping;
    private Thread hook;

    public Handle add(String what, Action action) {
        Handle h = new Handle(what, action);
        synchronized (handles) {
            handles.push(h);
        }
        return h;
    }

    private void remove(Handle h) {
        synchronized (handles) {
            handles.remove(h);
        }
    }

    public void installShutdownHook() {
        hook = new Thread(() -> {
            stopping = true;
            runAll();
        }, "denyfs-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** True once the JVM is shutting down (Ctrl-C, SIGTERM): start nothing new, the mounts are going away. */
    boolean stopping() {
        return stopping;
    }

    /** Runs every remaining action, newest first; never throws (failures are collected). */
    public void runAll() {
        synchronized (runLock) {
            runRemaining();
        }
    }

    private void runRemaining() {
        for (;;) {
            Handle next;
            synchronized (handles) {
                next = handles.peek();
            }
            if (next == null) {
                return;
            }
            next.run();
        }
    }

    /** What went wrong while undoing, e.g. an unmount that failed; empty when all went well. */
    public List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    @Override
    public void close() {
        runAll();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook is running or ran; it has nothing left to do.
            }
            hook = null;
        }
    }
}

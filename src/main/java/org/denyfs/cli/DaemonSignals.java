package org.denyfs.cli;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.kernel.Mount;

/**
 * SIGTERM, SIGINT and SIGHUP for a serving daemon, handled here rather than by the JVM's shutdown
 * hooks: a hook cannot wait for open files to close, and a second signal during the JVM's shutdown
 * is ignored.
 *
 * <p>The first signal unmounts; if files on the mount are still open, it detaches the mount
 * lazily, so the mount point is free at once, and the daemon serves those files until the last
 * one closes, then the FUSE loop ends and {@code mount -f} returns as after any unmount. A second
 * signal does not wait: it aborts the FUSE connection (open files then fail with ENOTCONN) and
 * exits with 128 + the signal's number. Every step is logged.
 *
 * <p>sun.misc.Signal (jdk.unsupported) is the JDK's only way to replace a signal's Java handler;
 * javac warns about it, and cannot be told not to under --release, so it is named in one place.
 */
final class DaemonSignals {
    private static final Logger LOG = LogManager.getLogger(DaemonSignals.class);
    private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP");

    private final Mount mount;
    private final AtomicInteger received = new AtomicInteger();

    private DaemonSignals(Mount mount) {
        this.mount = mount;
    }

    static void install(Mount mount) {
        DaemonSignals handler = new DaemonSignals(mount);
        for (String name : SIGNALS) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> handler.handle(s.getName(), s.getNumber()));
        }
    }

    private void handle(String name, int number) {
        if (received.getAndIncrement() == 0) {
            // Not on the signal's own thread: the unmount runs fusermount and must not delay a second signal.
            Thread t = new Thread(() -> unmount(name), "denyfs-signal-unmount");
            t.setDaemon(true);
            t.start();
        } else {
            abort(name, number);
        }
    }

    private void unmount(String signal) {
        LOG.info("SIG{}: unmounting {}", signal, mount.mountPoint());
        Mount.Detach d = mount.detach();
        switch (d.kind()) {
            case UNMOUNTED -> LOG.debug("{}: unmount done", mount.mountPoint());
            case DETACHED_BUSY -> LOG.warn("{} is busy ({}): detached it lazily; serving the open files until they"
                    + " are closed, then exiting (signal again to abort them now)", mount.mountPoint(), d.detail());
            case FAILED -> LOG.error("{}: unmount failed: {} (signal again to abort the mount)", mount.mountPoint(), d.detail());
        }
    }

    private void abort(String signal, int number) {
        LOG.warn("SIG{} again: aborting the FUSE connection of {}; files still open there now fail with"
                + " 'Transport endpoint is not connected'", signal, mount.mountPoint());
        mount.abort(how -> LOG.warn("aborting {} {}; exiting", mount.mountPoint(), how));
        Logging.stop();
        Runtime.getRuntime().halt(128 + number);
    }
}

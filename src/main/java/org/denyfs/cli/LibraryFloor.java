package org.denyfs.cli;

import java.lang.ref.Reference;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.denyfs.kernel.natives.LibFuse;
import ru.serce.jnrfuse.FuseStubFS;

/**
 * What the daemon's libraries cost before any work of its own: scripts/bench-footprint's "floor"
 * row, run with the daemon's JVM options (scripts/denyfs, DENYFS_MAIN_CLASS). It configures the log
 * as the daemon does, binds libfuse through jnr-ffi and builds jnr-fuse's table of callbacks (its
 * closures start jffi's and jnr-ffi's reaper threads), prints {@code ready PID} and sleeps until it
 * is killed. The idle daemon's RSS and threads minus this are what denyfs's own code costs.
 */
public final class LibraryFloor {
    private LibraryFloor() {}

    public static void main(String[] args) throws InterruptedException {
        Logging.configure(Level.INFO, null);
        LogManager.getLogger(LibraryFloor.class).debug("library floor: log configured");
        Object libfuse = LibFuse.INSTANCE;
        FuseStubFS fs = new FuseStubFS();
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        try {
            Thread.sleep(Long.MAX_VALUE);
        } finally {
            Reference.reachabilityFence(libfuse);
            Reference.reachabilityFence(fs);
        }
    }
}

package org.denyfs.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Detaches a FUSE mount, live or with a dead daemon, the way fusermount(1) does. */
public final class Unmounter {
    private Unmounter() {}

    /** Returns fusermount's (or umount's) exit status and what it printed. */
    public static Result unmount(Path mountPoint) {
        Result r = run("fusermount", "-u", mountPoint.toString());
        if (r.status() == 127) {
            r = run("umount", mountPoint.toString());
        }
        return r;
    }

    /**
     * umount -l: takes the mount out of the namespace at once, even while files on it are open;
     * the kernel keeps the FUSE connection until the last of them is closed.
     */
    public static Result detachLazily(Path mountPoint) {
        Result r = run("fusermount", "-u", "-z", mountPoint.toString());
        if (r.status() == 127) {
            r = run("umount", "-l", mountPoint.toString());
        }
        return r;
    }

    private static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(124, cmd[0] + " timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(127, cmd[0] + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        }
    }

    public record Result(int status, String output) {
        /** EBUSY: files (or working directories) on the mount are still in use. */
        public boolean busy() {
            return status != 0 && output.contains("Device or resource busy");
        }
    }
}

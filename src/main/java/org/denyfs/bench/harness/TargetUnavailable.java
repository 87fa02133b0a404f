package org.denyfs.bench.harness;

/** A target that cannot be set up on this machine (tool not installed): skipped with this message. */
public final class TargetUnavailable extends Exception {
    public TargetUnavailable(String message) {
        super(message);
    }
}

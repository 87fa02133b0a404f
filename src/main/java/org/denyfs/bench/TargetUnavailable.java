package org.denyfs.bench;

/** A target that cannot be set up on this machine (tool not installed): skipped with this message. */
final class TargetUnavailable extends Exception {
    TargetUnavailable(String message) {
        super(message);
    }
}

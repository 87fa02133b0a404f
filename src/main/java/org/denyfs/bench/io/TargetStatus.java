package org.denyfs.bench.io;

/**
 * What became of one requested target.
 *
 * @param state "ok", "skipped" (tool not installed) or "failed" (mount failed)
 * @param detail the mount command for "ok", otherwise why not
 */
public record TargetStatus(String name, String state, String detail) {
    public boolean ok() {
        return "ok".equals(state);
    }
}

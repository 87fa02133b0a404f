package org.denyfs.core;

/**
 * Decides whether the holds that block a request are already gone from user space and only their
 * release is still on its way to the daemon, and if so waits for it.
 *
 * <p>Why this exists: FUSE sends RELEASE asynchronously, so close(2) can return before the daemon
 * has dropped that handle's write access. The kernel itself never has this gap. An implementation
 * must answer {@code false} (refuse at once) unless it has evidence that no process still holds
 * any of the blockers; it must never turn a live holder into a success.
 */
@FunctionalInterface
public interface StaleHolders {
    /** Never waits: every refusal is immediate, as in the kernel. */
    StaleHolders NONE = (inode, blockedBy) -> false;

    /**
     * @param blockedBy true if writers block (a deny was refused), false if deniers do
     * @return true if the count changed, so the caller should try again
     */
    boolean awaitRelease(Inode inode, boolean blockedBy) throws InterruptedException;
}

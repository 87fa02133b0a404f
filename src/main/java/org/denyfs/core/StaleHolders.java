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
    StaleHolders NONE = (inode, refused) -> false;

    /**
     * @param refused the kind of hold that was just refused on {@code inode}
     * @return true if the count no longer blocks {@code refused}, so the caller should try again
     */
    boolean awaitRelease(Inode inode, HoldKind refused) throws InterruptedException;

    /** True while {@code count} refuses a hold of kind {@code wanted}. */
    static boolean blocks(int count, HoldKind wanted) {
        if (wanted == HoldKind.WRITE) {
            return count < 0;
        }
        return wanted.exclusive() ? count != 0 : count > 0;
    }

    /** True if a hold of kind {@code holder} is one of those that refuse {@code wanted}. */
    static boolean isBlocker(HoldKind holder, HoldKind wanted) {
        return wanted.exclusive() || holder.denies() != wanted.denies();
    }
}

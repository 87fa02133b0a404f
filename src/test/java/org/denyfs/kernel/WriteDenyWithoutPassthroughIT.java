package org.denyfs.kernel;

/**
 * Every rule of {@link WriteDenyIT} once more with {@code passthrough=off}: the daemon then serves
 * READ and WRITE of backing files itself, and a mapping holds the FUSE file, so the path the
 * default ({@code passthrough=auto}, WriteDenyIT's) leaves to the kernel stays tested too.
 */
@OnOneMount.MountedWith("passthrough=off")
class WriteDenyWithoutPassthroughIT extends WriteDenyIT {
}

package org.denyfs.kernel;

/**
 * Every rule of {@link WriteDenyIT} once more with {@code passthrough=auto}: on a kernel with FUSE
 * passthrough the kernel then serves READ and WRITE of backing files itself, so both paths stay
 * tested (the default, {@code passthrough=off}, is WriteDenyIT's).
 */
@OnOneMount.MountedWith("passthrough=auto")
class WriteDenyWithPassthroughIT extends WriteDenyIT {
}

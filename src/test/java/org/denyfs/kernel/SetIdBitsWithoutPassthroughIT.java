package org.denyfs.kernel;

/** Every rule of {@link SetIdBitsIT} with {@code passthrough=off}: every WRITE then reaches the daemon. */
@OnOneMount.MountedWith("passthrough=off")
class SetIdBitsWithoutPassthroughIT extends SetIdBitsIT {
}

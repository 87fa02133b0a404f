package org.denyfs.control;

/**
 * Turns a control-request PATH (relative to the mount root; a leading '/' is the mount root) into
 * the backing file it names. Implemented by the FUSE layer, which knows the backing directory.
 * Throws {@link org.denyfs.core.ErrnoException}: ENOENT and friends as stat(2) says, EINVAL for a
 * path that escapes the mount or is not a regular file.
 */
@FunctionalInterface
public interface Resolver {
    Target resolve(String path);
}

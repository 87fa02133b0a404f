package org.denyfs.kernel.control;

/**
 * Turns a control-request PATH (relative to the mount root; a leading '/' is the mount root) into
 * the backing file it names, resolved once: {@link ControlPaths}, beneath the backing root (the
 * protocol's tests use a map). Throws {@link org.denyfs.core.ErrnoException}: ENOENT, ELOOP and friends as open(2)
 * would say, EINVAL for a path that leaves the mount, names the control tree or is not a regular
 * file. Messages name the request's PATH, never a backing path.
 */
@FunctionalInterface
public interface Resolver {
    /** The file's inode, mode and owner, from one descriptor that is closed again before this returns. */
    Target resolve(String path);
}

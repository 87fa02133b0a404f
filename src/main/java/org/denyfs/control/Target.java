package org.denyfs.control;

import org.denyfs.core.InodeKey;

/** A resolved control-request PATH: the backing inode and the owner and mode permission checks need. */
public record Target(InodeKey key, int mode, int uid, int gid) {}

package org.denyfs.core;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What denyfs tracks about one backing inode while anybody holds it: the write count, the holds
 * behind it (for the control interface's holders listing and for stale-holder checks), and how
 * many references pin the entry in {@link Inodes}.
 */
public final class Inode {
    private final InodeKey key;
    private final WriteCount writes = new WriteCount();
    private final Set<Hold> holds = ConcurrentHashMap.newKeySet();
    /** Guarded by the {@link Inodes} map bin that holds this entry; changed only inside compute(). */
    int pins;

    Inode(InodeKey key) {
        this.key = key;
    }

    public InodeKey key() {
        return key;
    }

    public WriteCount writes() {
        return writes;
    }

    /** A live view of the holds; iteration is weakly consistent. */
    public Collection<Hold> holds() {
        return holds;
    }

    void add(Hold hold) {
        holds.add(hold);
    }

    void remove(Hold hold) {
        holds.remove(hold);
    }

    @Override
    public String toString() {
        return key + "(" + writes + ")";
    }
}

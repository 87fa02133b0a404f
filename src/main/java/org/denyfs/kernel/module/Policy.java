package org.denyfs.kernel.module;

/**
 * How finit_module() keeps concurrent loads of one module file apart; switchable at run time.
 * init_module() never takes part: it has no file.
 */
public enum Policy {
    /**
     * Up to v6.4-rc3: only kernel_read_file()'s own deny_write_access() around the read. Concurrent
     * loads of one file all read it and meet later in the duplicate check (wait, then EEXIST).
     */
    PLAIN,
    /**
     * Commit 9828ed3f69 (v6.4-rc4, reverted in rc5): exclusive_deny_write_access() around the whole
     * of finit_module(), module init included: a second concurrent load of the same inode gets
     * ETXTBSY at once, before reading anything.
     */
    EXCLUSIVE,
    /**
     * v6.5 (9b9879fc03): concurrent callers on the same inode join a group; the first loads, the
     * others wait (interruptibly, as since v6.11) and return its result without reading the file.
     */
    IDEMPOTENT
}

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
     * The seed commit's measurement table's second kernel, "exclusive deny inside the file read
     * only": kernel_read_file() takes exclusive_deny_write_access() instead of deny_write_access()
     * and drops it when the read is over, before load_module(). A load that starts while another is
     * reading gets ETXTBSY at once; one that starts after the other's read has finished reads the
     * whole file again, allocates, and fails later in the duplicate check (wait, then EEXIST): the
     * 354,413,398 bytes that row still wasted.
     */
    EXCLUSIVE_READ,
    /**
     * v6.5 (9b9879fc03): concurrent callers on the same inode join a group; the first loads, the
     * others wait (interruptibly, as since v6.11) and return its result without reading the file.
     */
    IDEMPOTENT;

    /** The name users write (mount option, control verb, herd): "plain", "exclusive-read", ... */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The policy whose {@link #label()} is {@code label} (case and surrounding blanks ignored). */
    public static Policy of(String label) {
        String l = label.strip().toLowerCase(java.util.Locale.ROOT);
        for (Policy p : values()) {
            if (p.label().equals(l)) {
                return p;
            }
        }
        throw new IllegalArgumentException("policy '" + label + "': expected one of " + labels());
    }

    /** Every label, in declaration order, comma-separated: for messages and --help. */
    public static String labels() {
        return String.join(", ", java.util.Arrays.stream(values()).map(Policy::label).toList());
    }
}

package org.denyfs.core;

/** Why somebody holds an inode's write count, and in which direction. */
public enum HoldKind {
    /** An open file with write access: get_write_access at open, put at the final release. */
    WRITE("write", false),
    /** deny_write_access through the control interface. */
    DENY("deny", true),
    /** exclusive_deny_write_access through the control interface (commit 9828ed3f69). */
    EXCLUSIVE_DENY("xdeny", true),
    /** A program running from the file: the exec open's deny, held until its release. */
    EXEC("exec", true),
    /** A module load in progress (kernel_read_file or the exclusive policy's whole-load deny). */
    MODULE("module", true);

    private final String label;
    private final boolean denies;

    HoldKind(String label, boolean denies) {
        this.label = label;
        this.denies = denies;
    }

    public String label() {
        return label;
    }

    /** True for the kinds that make the count negative. */
    public boolean denies() {
        return denies;
    }
}

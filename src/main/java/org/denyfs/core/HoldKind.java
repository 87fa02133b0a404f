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
    /** kernel_read_file() reading a module: deny_write_access for the length of the read. */
    MODULE("module", true),
    /**
     * The seed commit's exclusive deny, around a whole finit_module() (policy "exclusive") or
     * around its file read only (policy "exclusive-read").
     */
    MODULE_EXCLUSIVE("module-xdeny", true),
    /** FS_IOC_ENABLE_VERITY: deny_write_access while the Merkle tree is built (fs/verity/enable.c). */
    VERITY("verity", true),
    /** request_firmware(): kernel_read_file's deny for the length of the firmware read. */
    FIRMWARE("firmware", true),
    /** A read-only open of a file named by {@code -o exclusive_read}: exclusive, until its release. */
    EXCLUSIVE_READ("xread", true);

    private final String label;
    private final boolean denies;

    HoldKind(String label, boolean denies) {
        this.label = label;
        this.denies = denies;
    }

    /** True for the kinds taken with exclusive_deny_write_access (0 -> -1 only). */
    public boolean exclusive() {
        return this == EXCLUSIVE_DENY || this == MODULE_EXCLUSIVE || this == EXCLUSIVE_READ;
    }

    /** True for the holds the daemon itself takes for a module load. */
    public boolean module() {
        return this == MODULE || this == MODULE_EXCLUSIVE;
    }

    public String label() {
        return label;
    }

    /** True for the kinds that make the count negative. */
    public boolean denies() {
        return denies;
    }
}

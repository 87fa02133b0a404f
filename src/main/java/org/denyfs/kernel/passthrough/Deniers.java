package org.denyfs.kernel.passthrough;

/**
 * The deniers of i_writecount beside execve and module loading that the seed commit's text names,
 * as one mount serves them: fs-verity's enable, the exclusive readers of {@code -o exclusive_read},
 * and request_firmware's read. OpenFiles consults them at open and on an ioctl, the control file for
 * its firmware verb; each keeps its own rules and figures.
 */
public record Deniers(FsVerity verity, ExclusiveReads exclusiveReads, Firmware firmware) {
    /** The status reply's part. */
    public String figures() {
        return verity.figures() + " " + exclusiveReads.figures() + " " + firmware.figures();
    }
}

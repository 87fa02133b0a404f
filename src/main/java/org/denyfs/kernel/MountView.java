package org.denyfs.kernel;

import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.control.Control;
import org.denyfs.kernel.control.DaemonFigures;
import org.denyfs.kernel.module.Modules;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.passthrough.Deniers;
import org.denyfs.kernel.passthrough.ReleaseLag;
import org.denyfs.kernel.pending.WritableMappings;

/**
 * What a test may look at inside a mount served in its own JVM ({@link Mount#view}): the daemon's
 * tables and figures, read only, and the emulated kernel, which a test may also drive as the
 * control file would (delete a module between cases). Nothing else of the mount's parts leaks out.
 */
public final class MountView {
    private final Inodes inodes;
    private final Modules kernel;
    private final Control control;
    private final DaemonFigures figures;
    private final ReplyFilter filter;
    private final Deniers deniers;
    private final WritableMappings mappings;

    MountView(Inodes inodes, Modules kernel, Control control, DaemonFigures figures, ReplyFilter filter, Deniers deniers,
              WritableMappings mappings) {
        this.inodes = inodes;
        this.mappings = mappings;
        this.kernel = kernel;
        this.control = control;
        this.figures = figures;
        this.filter = filter;
        this.deniers = deniers;
    }

    /**
     * Runs {@code hook} in every FS_IOC_ENABLE_VERITY after its deny is taken and before its Merkle
     * tree is built, on the FUSE thread serving it: a test holds an enable there to meet it
     * deterministically. null lets builds run.
     */
    public void onVerityBuild(java.util.function.Consumer<InodeKey> hook) {
        deniers.verity().onBuild(hook);
    }

    /**
     * An inode's signed write count, as {@code query} would say before waiting for releases in
     * flight (0 for none); a closed read-write file's write access counts only while a shared
     * mapping may still write (WritableMappings).
     */
    public int count(InodeKey key) {
        mappings.settle(key);
        return inodes.count(key);
    }

    /** The mount's FUSE worker threads alive now (status's fuse_workers), read without a request. */
    public int fuseWorkers() {
        return figures.fuseWorkers();
    }

    /** Inodes with an entry in the table: 0 once everything let go (a mapping that may write holds one). */
    public int inodeEntries() {
        mappings.settleAll();
        return inodes.size();
    }

    /** Handles open in every table (backing files, directories, the control tree's). */
    public int openHandles() {
        return figures.openHandles();
    }

    /** Open control-file handles. */
    public int controlSessions() {
        return control.sessionCount();
    }

    /** FLUSH requests received. */
    public long flushes() {
        return figures.flushes();
    }

    public ReleaseLag releaseLag() {
        return figures.releaseLag();
    }

    /** Whether libdenyfs-fuse.so was found, so attributes may be cached (see ReplyFilter). */
    public boolean replyFilterActive() {
        return filter.active();
    }

    /** The emulated kernel. */
    public Modules modules() {
        return kernel;
    }
}

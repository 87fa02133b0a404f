package org.denyfs.kernel.control;

import com.kenai.jffi.MemoryIO;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import jnr.ffi.Pointer;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.module.FinitModule;
import org.denyfs.kernel.module.Modules;
import org.denyfs.kernel.natives.FileInfo;
import org.denyfs.kernel.natives.FuseContext;
import org.denyfs.kernel.natives.LibFuse;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.passthrough.BackingRoot;
import org.denyfs.kernel.passthrough.Deniers;
import org.denyfs.kernel.passthrough.Handle;
import org.denyfs.kernel.passthrough.Handles;
import org.denyfs.kernel.passthrough.ReleaseLag;
import ru.serce.jnrfuse.FuseFillDir;

/**
 * The tree under {@code MOUNT/.denyfs} as the FUSE op table sees it: the control file (one
 * {@link Session} of {@link Control} per open handle), the read-only views of the emulated kernel
 * ({@link Views}), their attributes, listings and handles. The op table tells the tree's requests
 * from the backing files' without a lookup: a path at or under {@code /.denyfs} ({@link #isVirtual}),
 * a handle with {@link #HANDLE_TAG} set ({@link #owns}).
 *
 * <p>Below it: the control requests resolve their PATHs beneath the passthrough's backing root
 * ({@link ControlPaths}) and load modules through the emulated kernel's {@link FinitModule};
 * nothing here calls back into the op table.
 *
 * <p>Thread-safety: a handle's requests are serialised by its session; the views are computed from
 * the emulated kernel under its own locks at each lookup.
 */
public final class ControlTree {
    /** The bit every handle of the tree carries in {@code fi->fh}: the backing files' never do. */
    public static final long HANDLE_TAG = Handles.TAG_BITS;
    private static final byte[] DIR_BYTES = VirtualTree.DIR.getBytes(StandardCharsets.UTF_8);
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final Control control;
    private final Views views;
    private final Handles handles;
    private final ReplyFilter filter;
    private final ReleaseLag releaseLag;
    private final long mountSeconds = System.currentTimeMillis() / 1000;

    private ControlTree(Control control, Views views, Handles handles, ReplyFilter filter, ReleaseLag releaseLag) {
        this.control = control;
        this.views = views;
        this.handles = handles;
        this.filter = filter;
        this.releaseLag = releaseLag;
    }

    /**
     * The tree of one mount.
     *
     * @param root the backing root, beneath which control-request PATHs resolve
     * @param finit finit_module on a resolved descriptor (shared with the FINIT ioctl)
     * @param deniers fs-verity, the exclusive readers and firmware: the firmware verb and the status reply
     * @param handles the tree's handle table, tagged with {@link #HANDLE_TAG}
     * @param figures the daemon's own figures, for the status reply
     */
    public static ControlTree of(Inodes inodes, Modules kernel, BackingRoot root, FinitModule finit, Deniers deniers,
                                 Handles handles, ReplyFilter filter, DaemonFigures figures) {
        ControlPaths paths = new ControlPaths(root);
        Supplier<String> daemon = () -> figures.text() + " " + deniers.figures();
        Control control = new Control(inodes, paths, new ModuleSyscalls(kernel, paths, finit), daemon,
                new FirmwareRequests(paths, deniers.firmware()));
        return new ControlTree(control, new Views(kernel), handles, filter, figures.releaseLag());
    }

    /** Whether the FUSE path at {@code path} (a C string) is {@code /.denyfs} or below it, read in place. */
    public static boolean isVirtual(long path) {
        byte[] dir = DIR_BYTES;
        for (int i = 0; i < dir.length; i++) {
            if (MEMORY.getByte(path + i) != dir[i]) {
                return false;
            }
        }
        byte next = MEMORY.getByte(path + dir.length);
        return next == 0 || next == '/';
    }

    public static boolean isVirtual(String path) {
        return VirtualTree.isVirtual(path);
    }

    /** Whether {@code fh} is one of the tree's handles. */
    public static boolean owns(long fh) {
        return (fh & HANDLE_TAG) != 0;
    }

    public Control control() {
        return control;
    }

    /** GETATTR into libfuse's stat at {@code stat}. */
    public int getattr(String path, long stat) {
        // Views come and go with the module table, the control file's handles with their holders.
        filter.uncached();
        if (path.equals(VirtualTree.CONTROL)) {
            VirtualTree.fillFile(stat, VirtualTree.CONTROL_INO, 0666, 0, mountSeconds);
            return 0;
        }
        long ino = path.equals(VirtualTree.DIR) ? VirtualTree.DIR_INO : views.ino(path);
        Views.Node node = views.lookup(path);
        if (node instanceof Views.Dir) {
            VirtualTree.fillDir(stat, ino, mountSeconds);
        } else if (node instanceof Views.File f) {
            VirtualTree.fillFile(stat, ino, 0444, f.content().length, mountSeconds);
        } else if (node instanceof Views.Link l) {
            VirtualTree.fillLink(stat, ino, l.target().length(), mountSeconds);
        } else {
            return -Errno.ENOENT.code();
        }
        return 0;
    }

    /** OPEN for the {@code struct fuse_file_info} at {@code fi}: the control file, or a view's snapshot. */
    public int open(String path, long fi) {
        if (path.equals(VirtualTree.CONTROL)) {
            Caller opener = FuseContext.caller();
            FileInfo.setFh(fi, handles.add(new ControlHandle(control.open(opener.pid(), opener.uid()), FuseContext::caller)));
            FileInfo.setBits(fi, FileInfo.DIRECT_IO | FileInfo.NONSEEKABLE);
            return 0;
        }
        Views.Node node = views.lookup(path);
        if (node instanceof Views.File f) {
            if ((FileInfo.flags(fi) & Libc.O_ACCMODE) != Libc.O_RDONLY) {
                return -Errno.EACCES.code();
            }
            FileInfo.setFh(fi, handles.add(new ViewHandle(f.content())));
            FileInfo.setBits(fi, FileInfo.DIRECT_IO);
            return 0;
        }
        return node instanceof Views.Dir ? -Errno.EISDIR.code() : -Errno.ENOENT.code();
    }

    /**
     * READ: the control file's replies (its queued requests run now; with O_NONBLOCK in
     * {@code fileFlags}, EAGAIN while one waits for another load), or a view's bytes.
     */
    public int read(long fh, long buf, long size, long offset, int fileFlags) {
        Handle h = handles.get(fh);
        return h instanceof ControlHandle c ? c.read(buf, size, fileFlags) : h.read(buf, size, offset);
    }

    /**
     * POLL of a handle of the tree, {@code ph} the poll handle to notify (0: the poller did not
     * ask): the control file's events (see ControlHandle), a view's always POLLIN and POLLOUT.
     */
    public int poll(long fh, long ph) {
        Handle h = handles.get(fh);
        if (h instanceof ControlHandle c) {
            return c.poll(ph);
        }
        if (ph != 0) {
            LibFuse.INSTANCE.fuse_pollhandle_destroy(ph);
        }
        return Libc.POLLIN | Libc.POLLRDNORM | Libc.POLLOUT | Libc.POLLWRNORM;
    }

    /** WRITE: request lines for the control file; a view refuses it. */
    public int write(long fh, long buf, long size, long offset) {
        return handles.get(fh).write(buf, size, offset);
    }

    /** FLUSH, at every close(2): a control handle runs what was written and never read. */
    public void flush(long fh) {
        handles.get(fh).flush();
    }

    /** RELEASE: a control handle gives back every deny it holds. */
    public void release(long fh) {
        Handle h = handles.remove(fh);
        releaseLag.released(h);
        h.release();
    }

    public int readlink(String path, Pointer buf, long size) {
        if (!(views.lookup(path) instanceof Views.Link link)) {
            return -Errno.EINVAL.code();
        }
        byte[] target = link.target().getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(target.length, size - 1);
        buf.put(0, target, 0, n);
        buf.putByte(n, (byte) 0);
        return 0;
    }

    /** READDIR of a directory of the tree: listed from the views at each call. */
    public int readdir(String path, Pointer buf, FuseFillDir filler) {
        if (!(views.lookup(path) instanceof Views.Dir dir)) {
            return -Errno.ENOTDIR.code();
        }
        for (String name : Views.withDots(dir.entries())) {
            filler.apply(buf, name, null, 0);
        }
        return 0;
    }
}

package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.denyfs.abi.Abi;
import org.denyfs.user.client.Client;

/**
 * The client side of one denyfs mount's emulated kernel (the kernel itself runs in the daemon,
 * {@code kernel.module}), reached only through {@code abi.Abi}: the syscalls
 * (finit_module as the DENYFS_IOC_FINIT ioctl on a descriptor this process opened, init_module and
 * delete_module as control verbs) and the /proc and /sys files libkmod reads, at their places
 * under MOUNT/.denyfs. Every failure is a {@link LoaderException} with the kernel's errno.
 */
public final class KernelClient {
    /** MODULE_INIT_* flags of finit_module(2). */
    public static final int IGNORE_MODVERSIONS = 1;
    public static final int IGNORE_VERMAGIC = 2;
    public static final int COMPRESSED_FILE = 4;
    /** delete_module(2) flags, as kmod passes them. */
    public static final int O_NONBLOCK = 2048;
    public static final int O_TRUNC = 512;

    /** /proc/modules line: name, size, refcount, users (as listed), state. */
    public record ProcModule(String name, long size, int refcnt, List<String> usedBy, String state) {}

    private final Path mount;

    public KernelClient(Path mount) {
        this.mount = mount;
    }

    public Path mount() {
        return mount;
    }

    private Path sys(String name) {
        return mount.resolve(Abi.SYS_MODULE).resolve(name);
    }

    /** /sys/module/NAME/initstate without the newline ("live", "coming", "going"); empty if not loaded. */
    public Optional<String> initstate(String name) throws IOException {
        try {
            return Optional.of(Files.readString(sys(name).resolve("initstate")).trim());
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        }
    }

    /** /sys/module/NAME/refcnt; ENOENT if the module is not loaded. */
    public int refcnt(String name) throws IOException, LoaderException {
        try {
            return Integer.parseInt(Files.readString(sys(name).resolve("refcnt")).trim());
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new LoaderException(Messages.ENOENT, name + " is not loaded");
        } catch (NumberFormatException e) {
            throw new LoaderException(Messages.EIO, sys(name).resolve("refcnt") + ": " + e.getMessage());
        }
    }

    /** /sys/module/NAME/holders/, in directory order as readdir(3) gives it to kmod; empty if not loaded. */
    public List<String> holders(String name) throws IOException {
        List<String> out = holdersOrNull(name);
        return out == null ? List.of() : out;
    }

    /** The same, or null if the directory is missing (kmod_module_get_holders then says so). */
    public List<String> holdersOrNull(String name) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(sys(name).resolve("holders"))) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return null;
        }
        return out;
    }

    /** /proc/modules, newest module first. */
    public List<ProcModule> procModules() throws IOException {
        List<ProcModule> out = new ArrayList<>();
        for (String line : Files.readAllLines(mount.resolve(Abi.PROC_MODULES), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length < 5) {
                continue;
            }
            List<String> users = new ArrayList<>();
            if (!f[3].equals("-")) {
                for (String u : f[3].split(",")) {
                    if (!u.isEmpty()) {
                        users.add(u);
                    }
                }
            }
            out.add(new ProcModule(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]), users, f[4]));
        }
        return out;
    }

    /**
     * /sys/module/compression: the compression the kernel decompresses itself (kmod 31+ reads it to
     * choose between finit_module with COMPRESSED_FILE and a user-space decompression). Empty if the
     * kernel has none, or shows none.
     */
    public Optional<String> compression() throws IOException {
        Path p = sys("compression");
        return Files.isRegularFile(p) ? Optional.of(Files.readString(p).trim()) : Optional.empty();
    }

    /**
     * finit_module(fd, params, flags) on {@code file}: opened read-only here, then DENYFS_IOC_FINIT on
     * that descriptor, so the emulated kernel sees the caller's own open file, as the real syscall
     * would. ENOTTY means the file is not on a denyfs mount.
     */
    public void finit(Path file, String params, int flags) throws LoaderException {
        byte[] p = params.getBytes(StandardCharsets.UTF_8);
        if (p.length >= Abi.FINIT_PARAMS_MAX) {
            throw new LoaderException(Messages.EINVAL, "parameters longer than " + (Abi.FINIT_PARAMS_MAX - 1) + " bytes");
        }
        Sys sys = Sys.get();
        int fd = sys.open(file.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int e = LastError.getLastError(Sys.runtime());
            throw new LoaderException(e, file + ": " + Messages.strerror(e));
        }
        try {
            Pointer args = Memory.allocateDirect(Sys.runtime(), Abi.FINIT_ARGS_SIZE, true);
            args.putInt(0, flags);
            args.putInt(4, Abi.FINIT_TICKET);
            args.put(8, p, 0, p.length);
            args.putByte(8 + p.length, (byte) 0);
            int ticket = sys.ioctl(fd, Integer.toUnsignedLong(Abi.IOC_FINIT), args);
            if (ticket < 0) {
                int e = LastError.getLastError(Sys.runtime());
                throw new LoaderException(e, "finit_module " + file + ": " + Messages.strerror(e));
            }
            if (ticket > 0) {
                check(awaitTicket(ticket), "finit_module " + file + ": ");
            }
        } finally {
            sys.close(fd);
        }
    }

    /**
     * The reply to "wait TICKET" for a FINIT ioctl that waits for another caller's load: a
     * non-blocking request waited for in poll(2), so no daemon thread waits with us.
     */
    private String awaitTicket(int ticket) throws LoaderException {
        try {
            return Client.requestWithoutBlocking(mount, Abi.VERB_WAIT + " " + ticket);
        } catch (Client.SyscallFailed e) {
            throw new LoaderException(e.errno(), mount.resolve(Abi.CONTROL_PATH) + ": " + Messages.strerror(e.errno()));
        } catch (IOException e) {
            throw new LoaderException(Messages.EIO, e.getMessage());
        }
    }

    /** init_module(image, len, params): the image goes to the daemon on the control file. */
    public void init(byte[] image, String params) throws IOException, LoaderException {
        if (params.indexOf('\n') >= 0) {
            throw new LoaderException(Messages.EINVAL, "a newline in the parameters");
        }
        try (Client c = Client.open(mount)) {
            check(c.request(Abi.VERB_INIT + " " + image.length + (params.isEmpty() ? "" : " " + params),
                    ByteBuffer.wrap(image)));
        }
    }

    /** delete_module(name, flags). */
    public void delete(String name, int flags) throws IOException, LoaderException {
        try (Client c = Client.open(mount)) {
            check(c.request(Abi.VERB_DELETE + " " + name + " " + flags));
        }
    }

    /** "ok ..." returns; "err ERRNO message" throws with that errno. */
    static void check(String reply) throws LoaderException {
        check(reply, "");
    }

    private static void check(String reply, String context) throws LoaderException {
        if (reply.startsWith("ok")) {
            return;
        }
        String[] f = reply.split(" ", 3);
        if (f.length >= 2 && f[0].equals("err")) {
            int e = Messages.number(f[1]);
            throw new LoaderException(e, context.isEmpty() ? (f.length > 2 ? f[2] : f[1]) : context + Messages.strerror(e));
        }
        throw new LoaderException(Messages.EIO, "unexpected control reply: " + reply);
    }

    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 02000000;

    /** The libc calls finit needs, bound with jnr-ffi on first use only. */
    public interface Sys {
        int open(String path, int flags);

        int close(int fd);

        int ioctl(int fd, long request, Pointer arg);

        static Sys get() {
            return Holder.SYS;
        }

        static Runtime runtime() {
            return Runtime.getRuntime(Holder.SYS);
        }
    }

    private static final class Holder {
        static final Sys SYS = LibraryLoader.create(Sys.class).load("c");
    }
}

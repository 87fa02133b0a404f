package org.denyfs.user.kmod;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.Compression;

/**
 * The module loader of denyfs: libkmod's job, against the emulated kernel of a denyfs mount.
 *
 * <p>Architecture. {@link ModuleIndex} reads depmod's files of {@code ROOT/lib/modules/RELEASE}
 * (the text twins of the .bin indexes kmod reads, same order); {@link Config} reads modprobe.d;
 * {@link KernelClient} is the client side of the mount's emulated kernel, reached only through {@code abi.Abi} (the
 * DENYFS_IOC_FINIT ioctl, the init and delete control verbs, the .denyfs/proc and .denyfs/sys
 * views). This class holds libkmod's algorithms: lookup ({@code kmod_module_new_from_lookup}),
 * the probe list and probe ({@code kmod_module_probe_insert_module}) and insertion
 * ({@code kmod_module_insert_module}). The tools ({@link Modprobe}, {@link Insmod}, {@link Rmmod},
 * {@link Lsmod}, {@link Modinfo}) are kmod's tools/*.c over it, and never print: they hand lines to a
 * {@link Log}. Nothing here is shared between threads; one Loader per command.
 *
 * <p>Compressed modules follow kmod 31+: finit_module with COMPRESSED_FILE when the emulated
 * kernel shows the file's compression in /sys/module/compression, otherwise decompression here and
 * init_module (which, as on a real kernel, gives the file no inode exclusion).
 */
public final class Loader {
    /** kmod_module_probe_insert_module flags. */
    public static final int PROBE_FORCE_VERMAGIC = 0x1;
    public static final int PROBE_FORCE_MODVERSION = 0x2;
    public static final int PROBE_IGNORE_COMMAND = 0x4;
    public static final int PROBE_IGNORE_LOADED = 0x8;
    public static final int PROBE_DRY_RUN = 0x10;
    public static final int PROBE_FAIL_ON_LOADED = 0x20;
    public static final int PROBE_APPLY_BLACKLIST_ALL = 0x10000;
    public static final int PROBE_APPLY_BLACKLIST = 0x20000;
    public static final int PROBE_APPLY_BLACKLIST_ALIAS_ONLY = 0x40000;

    /** A module as a lookup found it: its name, the alias it was found by (or null), built-in or not. */
    public record Mod(String name, String alias, boolean builtin) {}

    /** print_action of modprobe: called for each module the probe would insert. */
    public interface Action {
        void insert(Mod m, Path path, String options);
    }

    private final KernelClient kernel;
    private final ModuleIndex index;
    private final Config config;
    private final Log log;
    private final Set<String> visited = new HashSet<>();
    private final Set<String> required = new HashSet<>();

    private Loader(KernelClient kernel, ModuleIndex index, Config config, Log log) {
        this.kernel = kernel;
        this.index = index;
        this.config = config;
        this.log = log;
    }

    /**
     * @param mount   the denyfs mount whose kernel to use; null for commands that only read files
     * @param moddir  ROOT/lib/modules/RELEASE, or null for commands that need no index
     * @param config  modprobe.d paths (empty: no configuration)
     */
    public static Loader open(Path mount, Path moddir, List<Path> config, Log log) throws IOException {
        return new Loader(mount == null ? null : new KernelClient(mount), moddir == null ? null : new ModuleIndex(moddir),
                config.isEmpty() ? Config.empty() : Config.read(config), log);
    }

    /** modprobe.d's default search path under ROOT (the emulated system's, not the host's). */
    public static List<Path> defaultConfig(Path root) {
        return Config.defaultPaths(root);
    }

    /** ROOT/lib/modules/RELEASE: RELEASE given, else the one release under ROOT, else uname -r. */
    public static Path moduleDir(Path root, String release) throws IOException {
        Path base = root.resolve("lib/modules");
        if (release == null) {
            List<Path> dirs = new ArrayList<>();
            if (Files.isDirectory(base)) {
                try (var s = Files.list(base)) {
                    s.filter(Files::isDirectory).forEach(dirs::add);
                }
            }
            release = dirs.size() == 1 ? dirs.get(0).getFileName().toString() : System.getProperty("os.version");
        }
        return base.resolve(release);
    }

    /** The mount's kernel; ENODEV-like IOException if the command was given none. */
    public KernelClient kernel() throws IOException {
        if (kernel == null) {
            throw new IOException("no denyfs mount: set DENYFS_MOUNT or pass --mount");
        }
        return kernel;
    }

    public Path moduleDir() {
        return index.dir();
    }

    /** kmod_module_new_from_lookup: the first source that knows the name wins; aliases give all matches. */
    public List<Mod> lookup(String given) throws IOException {
        String alias = ModuleIndex.normalizeAlias(given);
        List<Mod> out = new ArrayList<>();
        for (ModuleIndex.Alias a : config.aliases) { // kmod_lookup_alias_from_config
            if (Glob.matches(a.pattern(), alias)) {
                out.add(new Mod(a.module(), alias, false));
            }
        }
        if (!out.isEmpty()) {
            return out;
        }
        if (alias.indexOf(':') < 0 && index.dep(alias) != null) { // modules.dep
            return List.of(new Mod(alias, null, false));
        }
        if (alias.startsWith("symbol:")) { // modules.symbols
            for (String m : index.symbolOwners(alias)) {
                out.add(new Mod(m, alias, false));
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        for (String m : index.aliasMatches(alias)) { // modules.alias
            out.add(new Mod(m, alias, false));
        }
        if (!out.isEmpty()) {
            return out;
        }
        if (index.isBuiltin(alias)) { // modules.builtin
            return List.of(new Mod(alias, null, true));
        }
        for (String m : builtinAliasMatches(alias)) { // modules.builtin.alias.bin, from modules.builtin.modinfo
            out.add(new Mod(m, alias, true));
        }
        return out;
    }

    /** kmod_module_new_from_name_lookup (modinfo -m): modules.dep, modules.builtin, built-in aliases; the first. */
    public Optional<Mod> lookupName(String given) throws IOException {
        String name = ModuleIndex.moduleName(given);
        if (index.dep(name) != null) {
            return Optional.of(new Mod(name, null, false));
        }
        if (index.isBuiltin(name)) {
            return Optional.of(new Mod(name, null, true));
        }
        return builtinAliasMatches(name).stream().findFirst().map(m -> new Mod(m, name, true));
    }

    private List<String> builtinAliasMatches(String alias) throws IOException {
        List<String> out = new ArrayList<>();
        byte[] all;
        try {
            all = Files.readAllBytes(index.dir().resolve("modules.builtin.modinfo"));
        } catch (java.nio.file.NoSuchFileException e) {
            return out;
        }
        int start = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == 0) {
                String s = new String(all, start, i - start, java.nio.charset.StandardCharsets.UTF_8);
                int dot = s.indexOf(".alias=");
                if (dot > 0 && Glob.matches(ModuleIndex.normalizeAlias(s.substring(dot + 7)), alias)) {
                    out.add(s.substring(0, dot));
                }
                start = i + 1;
            }
        }
        return out;
    }

    /** The module's file from modules.dep, or null (built-in, or unknown). */
    public Path path(String name) throws IOException {
        return index == null ? null : index.path(name);
    }

    public boolean isBuiltin(Mod m) throws IOException {
        return m.builtin() || (index != null && index.isBuiltin(m.name()));
    }

    /** module_is_inkernel: built in, or LIVE in the emulated kernel (a COMING module is not). */
    public boolean inKernel(Mod m) throws IOException {
        return isBuiltin(m) || kernel().initstate(m.name()).filter("live"::equals).isPresent();
    }

    /** kmod_module_get_initstate: "builtin", "live", "coming", "going", or empty if not loaded. */
    public Optional<String> initstate(Mod m) throws IOException {
        return isBuiltin(m) ? Optional.of("builtin") : kernel().initstate(m.name());
    }

    /** kmod_module_get_dependencies: modules.dep's list, last first (libkmod prepends as it parses). */
    public List<Mod> dependencies(Mod m) throws IOException {
        ModuleIndex.Dep d = index.dep(m.name());
        List<Mod> out = new ArrayList<>();
        if (d != null) {
            for (String n : d.deps()) {
                out.add(0, new Mod(n, null, false));
            }
        }
        return out;
    }

    /** kmod_module_get_softdeps: each softdep name looked up as modprobe would (aliases included). */
    public List<List<Mod>> softdeps(Mod m) throws IOException {
        Config.Softdep s = config.softdeps.get(m.name());
        List<Mod> pre = new ArrayList<>();
        List<Mod> post = new ArrayList<>();
        if (s != null) {
            for (String n : s.pre()) {
                pre.addAll(lookup(n));
            }
            for (String n : s.post()) {
                post.addAll(lookup(n));
            }
        }
        return List.of(pre, post);
    }

    public boolean blacklisted(Mod m) {
        return config.blacklist.contains(m.name());
    }

    /**
     * kmod_module_probe_insert_module: dependencies first, modules already in the kernel skipped,
     * EEXIST of any module but the target (with FAIL_ON_LOADED) counted as success, any other error of
     * a required module ends the probe. Returns 0, a positive blacklist flag (nothing done), or -errno.
     */
    public int probe(Mod mod, int flags, String extraOptions, Action show) throws IOException {
        if ((flags & PROBE_IGNORE_LOADED) == 0 && inKernel(mod)) {
            return (flags & PROBE_FAIL_ON_LOADED) != 0 ? -Messages.EEXIST : 0;
        }
        int bl = mod.alias() != null ? flags & PROBE_APPLY_BLACKLIST_ALIAS_ONLY : 0;
        if (bl == 0) {
            bl = flags & (PROBE_APPLY_BLACKLIST_ALL | PROBE_APPLY_BLACKLIST);
        }
        if (bl != 0 && blacklisted(mod)) {
            return bl;
        }
        List<Mod> list = probeList(mod, (flags & PROBE_IGNORE_COMMAND) != 0);
        int err = 0;
        for (Mod m : list) {
            if ((flags & PROBE_IGNORE_LOADED) == 0 && inKernel(m)) {
                err = -Messages.EEXIST;
            } else {
                String options = concat(config.options.get(m.name()), m == mod ? extraOptions : null);
                if (show != null) {
                    show.insert(m, path(m.name()), options);
                }
                if ((flags & PROBE_DRY_RUN) == 0) {
                    err = insert(m, flags, options);
                }
            }
            if (err == -Messages.EEXIST && m == mod && (flags & PROBE_FAIL_ON_LOADED) != 0) {
                break;
            }
            if (err == -Messages.EEXIST || !required.contains(m.name())) {
                err = 0;
            } else if (err < 0) {
                break;
            }
        }
        return err;
    }

    /** kmod_module_get_probe_list: pre-softdeps, dependencies (each with its softdeps), the module, post-softdeps. */
    public List<Mod> probeList(Mod mod, boolean ignoreCommands) throws IOException {
        visited.clear();
        required.clear();
        required.add(mod.name());
        List<Mod> list = new ArrayList<>();
        probeList(mod, true, ignoreCommands, list);
        return list;
    }

    private void probeList(Mod mod, boolean isRequired, boolean ignoreCommands, List<Mod> list) throws IOException {
        if (!visited.add(mod.name())) {
            return;
        }
        List<Mod> deps = dependencies(mod);
        if (isRequired) {
            required.add(mod.name());
            for (Mod d : deps) {
                required.add(d.name());
            }
        }
        for (Mod d : deps) {
            fillSoftdep(d, list);
        }
        if (ignoreCommands) {
            list.add(mod);
        } else {
            fillSoftdep(mod, list);
        }
    }

    private void fillSoftdep(Mod mod, List<Mod> list) throws IOException {
        List<List<Mod>> soft = softdeps(mod);
        for (Mod m : soft.get(0)) {
            probeList(m, false, false, list);
        }
        list.add(mod);
        for (Mod m : soft.get(1)) {
            probeList(m, false, false, list);
        }
    }

    private static String concat(String a, String b) {
        if (a == null || a.isEmpty()) {
            return b == null ? "" : b;
        }
        return b == null || b.isEmpty() ? a : a + " " + b;
    }

    /** kmod_module_insert_module of a module known by name. */
    int insert(Mod m, int flags, String options) throws IOException {
        Path p = path(m.name());
        if (p == null) {
            log.log(Log.ERR, "could not find module by name='" + m.name() + "'\n");
            return -Messages.ENOENT;
        }
        return insertFile(p, options, flags);
    }

    /**
     * kmod_module_insert_module of a file (kmod 31+): finit_module, with COMPRESSED_FILE for a
     * compressed file the kernel can decompress; init_module of the image decompressed here when it
     * cannot, or when finit_module says ENOSYS. A file off the mount (ENOTTY: no denyfs inode to
     * hold) is also loaded with init_module. Returns 0 or -errno; never retries.
     */
    public int insertFile(Path file, String options, int flags) throws IOException {
        int kflags = 0;
        if ((flags & PROBE_FORCE_VERMAGIC) != 0) {
            kflags |= KernelClient.IGNORE_VERMAGIC;
        }
        if ((flags & PROBE_FORCE_MODVERSION) != 0) {
            kflags |= KernelClient.IGNORE_MODVERSIONS;
        }
        Compression compression;
        try (InputStream in = Files.newInputStream(file)) {
            compression = Compression.detect(ByteBuffer.wrap(in.readNBytes(6)));
        } catch (java.nio.file.NoSuchFileException e) {
            return -Messages.ENOENT;
        } catch (java.nio.file.AccessDeniedException e) {
            return -13;
        }
        try {
            KernelClient k = kernel();
            int err = -Messages.ENOSYS;
            if (compression == null || compression.sysfsName().equals(k.compression().orElse(null))) {
                try {
                    k.finit(file, options, compression == null ? kflags : kflags | KernelClient.COMPRESSED_FILE);
                    return 0;
                } catch (LoaderException e) {
                    err = -e.errno();
                }
            }
            if (err != -Messages.ENOSYS && err != -Messages.ENOTTY) {
                log.log(Log.INFO, "Failed to insert module '" + file + "': " + Messages.strerror(-err) + "\n");
                return err;
            }
            k.init(image(file, compression), options);
            return 0;
        } catch (LoaderException e) {
            log.log(Log.INFO, "Failed to insert module '" + file + "': " + Messages.strerror(e.errno()) + "\n");
            return -e.errno();
        }
    }

    /** The module image as init_module wants it: decompressed in user space, as kmod does, by image.Compression. */
    static byte[] image(Path file, Compression compression) throws IOException, LoaderException {
        byte[] raw = Files.readAllBytes(file);
        if (compression == null) {
            return raw;
        }
        try {
            ByteBuffer image = compression.decompressToHeap(ByteBuffer.wrap(raw));
            return image.hasArray() && image.arrayOffset() == 0 && image.array().length == image.remaining()
                    ? image.array() : copy(image);
        } catch (ErrnoException e) {
            throw new LoaderException(e.errno().code(), file + ": " + e.getMessage());
        }
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** kmod_module_remove_module: delete_module with O_NONBLOCK (plus O_TRUNC when forced); -errno on failure. */
    public int remove(String name, boolean force, boolean quiet) throws IOException {
        try {
            kernel().delete(name, KernelClient.O_NONBLOCK | (force ? KernelClient.O_TRUNC : 0));
            return 0;
        } catch (LoaderException e) {
            if (!quiet) {
                log.log(Log.ERR, "could not remove '" + name + "': " + Messages.strerror(e.errno()) + "\n");
            }
            return -e.errno();
        }
    }

    public Log log() {
        return log;
    }
}

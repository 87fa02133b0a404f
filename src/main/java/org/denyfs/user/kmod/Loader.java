package org.denyfs.user.kmod;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

    /**
     * A module as a lookup found it: its name, the alias it was found by (or null), built-in or not.
     * libkmod keeps one module object per {@link #key()}, "NAME" or "NAME\\ALIAS": the probe's
     * visited, required and ignore-command marks belong to that object, so they are kept by key here.
     */
    public record Mod(String name, String alias, boolean builtin) {
        String key() {
            return alias == null ? name : name + "\\" + alias;
        }
    }

    /** print_action of modprobe: called for each module the probe would insert, or install with a command. */
    public interface Action {
        void insert(Mod m, Path path, String options);

        void install(Mod m, String command, String options);
    }

    private final KernelClient kernel;
    private final ModuleIndex index;
    private final Config config;
    private final Log log;
    private final Set<String> visited = new HashSet<>();
    private final Set<String> required = new HashSet<>();
    /** ignorecmd of libkmod's module objects: set by the probe list, never reset (as in libkmod). */
    private final Map<String, Boolean> ignoreCommand = new HashMap<>();
    /** Commands kmod_lookup_alias_from_commands attached to a module object found through them. */
    private final Map<String, String> installSet = new HashMap<>();
    private final Map<String, String> removeSet = new HashMap<>();

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
                Config.read(moddir, config, log), log);
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

    /**
     * kmod_module_new_from_lookup: the first source that knows the name wins; aliases give all
     * matches. Null if the name is no valid alias (an unbalanced bracket: libkmod's -EINVAL).
     */
    public List<Mod> lookup(String given) throws IOException {
        String alias = ModuleIndex.normalizeAlias(given);
        if (alias == null) {
            return null;
        }
        List<Mod> out = new ArrayList<>();
        for (Config.Entry a : config.aliases) { // kmod_lookup_alias_from_config: the module's alias is the pattern
            if (Glob.matches(a.key(), alias)) {
                out.add(new Mod(a.value(), a.key(), false));
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
        for (List<Config.Entry> commands : List.of(config.install, config.remove)) { // kmod_lookup_alias_from_commands
            for (Config.Entry c : commands) {
                if (c.key().equals(alias)) {
                    (commands == config.install ? installSet : removeSet).put(alias, c.value());
                    return List.of(new Mod(alias, null, false));
                }
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
        List<String> indexed = index.builtinAliasMatches(alias);
        if (indexed != null) {
            return indexed;
        }
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
                String pattern = dot > 0 ? ModuleIndex.normalizeAlias(s.substring(dot + 7)) : null;
                if (pattern != null && Glob.matches(pattern, alias)) {
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

    /**
     * kmod_module_get_softdeps: the first softdep whose pattern matches the module's name (fnmatch;
     * modules.softdep and modprobe.d alike), each of its names looked up as modprobe would (aliases
     * included; a name nothing knows is left out).
     */
    public List<List<Mod>> softdeps(Mod m) throws IOException {
        List<Mod> pre = new ArrayList<>();
        List<Mod> post = new ArrayList<>();
        for (Config.Softdep s : config.softdeps) {
            if (Glob.matches(s.pattern(), m.name())) {
                lookupSoftdeps(s.pre(), pre);
                lookupSoftdeps(s.post(), post);
                break;
            }
        }
        return List.of(pre, post);
    }

    private void lookupSoftdeps(List<String> names, List<Mod> into) throws IOException {
        for (String n : names) {
            List<Mod> found = lookup(n);
            if (found == null) {
                LibkmodLog.log(log, Log.ERR, LibkmodLog.SOFTDEP_LOOKUP, "failed to lookup soft dependency '" + n + "', continuing anyway.\n");
            } else {
                into.addAll(found);
            }
        }
    }

    /** kmod_module_get_holders: the modules using M, from /sys/module/M/holders; none, with libkmod's error, if it is missing. */
    public List<Mod> holders(Mod m) throws IOException {
        List<String> names = kernel().holdersOrNull(m.name());
        if (names == null) {
            LibkmodLog.log(log, Log.ERR, LibkmodLog.HOLDERS, "could not open '/sys/module/" + m.name()
                    + "/holders': No such file or directory\n");
            return List.of();
        }
        List<Mod> out = new ArrayList<>();
        for (String h : names) {
            out.add(new Mod(h, null, false));
        }
        return out;
    }

    public boolean blacklisted(Mod m) {
        return config.blacklist.contains(m.name());
    }

    /** kmod_module_get_options: every 'options' entry for the module's name or its alias, joined by spaces; null if none. */
    public String options(Mod m) {
        StringBuilder sb = null;
        for (Config.Entry e : config.options) {
            if ((e.key().equals(m.name()) || e.key().equals(m.alias())) && !e.value().isEmpty()) {
                sb = sb == null ? new StringBuilder(e.value()) : sb.append(' ').append(e.value());
            }
        }
        return sb == null ? null : sb.toString();
    }

    /** kmod_module_get_install_commands: the first 'install' entry whose pattern matches the name; null if none. */
    public String installCommand(Mod m) {
        return command(m, config.install, installSet);
    }

    /** kmod_module_get_remove_commands. */
    public String removeCommand(Mod m) {
        return command(m, config.remove, removeSet);
    }

    private String command(Mod m, List<Config.Entry> entries, Map<String, String> set) {
        if (m.alias() == null && set.containsKey(m.name())) {
            return set.get(m.name());
        }
        for (Config.Entry e : entries) {
            if (Glob.matches(e.key(), m.name())) {
                return e.value();
            }
        }
        return null;
    }

    /** What modprobe -c prints before the indexes, in kmod 30's order and form. */
    public List<String> configDump() {
        List<String> out = new ArrayList<>();
        config.blacklist.forEach(b -> out.add("blacklist " + b));
        config.install.forEach(e -> out.add("install " + e.key() + " " + e.value()));
        config.remove.forEach(e -> out.add("remove " + e.key() + " " + e.value()));
        config.aliases.forEach(e -> out.add("alias " + e.key() + " " + e.value()));
        config.options.forEach(e -> out.add("options " + e.key() + " " + e.value()));
        config.softdeps.forEach(s -> out.add("softdep " + s.pattern() + " " + s.text()));
        return out;
    }

    /** The index dumps of modprobe -c: modules.alias, then modules.symbols, as kmod_dump_index writes them. */
    public List<String> indexDump() throws IOException {
        List<String> out = new ArrayList<>(index.dumpAliases());
        out.addAll(index.dumpSymbols());
        return out;
    }

    /** Runs a modprobe.d command through sh with MODPROBE_MODULE set (system(3)); its exit status, or -1. */
    public int system(Mod m, String command) {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("MODPROBE_MODULE", m.name());
        try {
            Process p = pb.start();
            java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            byte[] out = p.getInputStream().readAllBytes();
            int status = p.waitFor();
            log.out(new String(out, java.nio.charset.StandardCharsets.UTF_8));
            log.stderr(new String(err.join(), java.nio.charset.StandardCharsets.UTF_8));
            return status;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** libkmod's command_do: -EINVAL, with its message, if the command fails. */
    private int runInstall(Mod m, String command, String options) {
        String cmd = command.replace("$CMDLINE_OPTS", options == null ? "" : options);
        int status = system(m, cmd);
        if (status == -1) {
            LibkmodLog.log(log, Log.ERR, LibkmodLog.COMMAND_RUN, "Could not run install command '" + cmd + "' for module " + m.name() + ": No such file or directory\n");
            return -Messages.EINVAL;
        }
        if (status != 0) {
            LibkmodLog.log(log, Log.ERR, LibkmodLog.COMMAND_STATUS, "Error running install command '" + cmd + "' for module " + m.name() + ": retcode " + status + "\n");
            return -Messages.EINVAL;
        }
        return 0;
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
        if ((flags & PROBE_APPLY_BLACKLIST_ALL) != 0) {
            list.removeIf(this::blacklisted);
            if (list.isEmpty()) {
                return PROBE_APPLY_BLACKLIST_ALL;
            }
        }
        int err = 0;
        for (Mod m : list) {
            boolean target = m.key().equals(mod.key());
            if ((flags & PROBE_IGNORE_LOADED) == 0 && inKernel(m)) {
                err = -Messages.EEXIST;
            } else {
                String options = concat(options(m), target ? extraOptions : null);
                String cmd = installCommand(m);
                if (cmd != null && !ignoreCommand.getOrDefault(m.key(), false)) {
                    if (show != null) {
                        show.install(m, cmd, options == null ? "" : options);
                    }
                    if ((flags & PROBE_DRY_RUN) == 0) {
                        err = runInstall(m, cmd, options);
                    }
                } else {
                    if (show != null) {
                        show.insert(m, path(m.name()), options == null ? "" : options);
                    }
                    if ((flags & PROBE_DRY_RUN) == 0) {
                        err = insert(m, flags, options == null ? "" : options);
                    }
                }
            }
            if (err == -Messages.EEXIST && target && (flags & PROBE_FAIL_ON_LOADED) != 0) {
                break;
            }
            if (err == -Messages.EEXIST || !required.contains(m.key())) {
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
        if (!visited.add(mod.key())) {
            return;
        }
        List<Mod> deps = dependencies(mod);
        if (isRequired) {
            required.add(mod.key());
            for (Mod d : deps) {
                required.add(d.key());
            }
        }
        for (Mod d : deps) {
            fillSoftdep(d, list);
        }
        if (ignoreCommands) {
            list.add(mod);
            ignoreCommand.put(mod.key(), true);
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
        ignoreCommand.put(mod.key(), !soft.get(0).isEmpty() || !soft.get(1).isEmpty());
        for (Mod m : soft.get(1)) {
            probeList(m, false, false, list);
        }
    }

    /** module_options_concat: null if both are empty; the configured options, a space, the extra ones. */
    private static String concat(String opt, String xopt) {
        if ((opt == null || opt.isEmpty()) && (xopt == null || xopt.isEmpty())) {
            return null;
        }
        return opt == null ? xopt : opt + " " + (xopt == null ? "" : xopt);
    }

    /** kmod_module_insert_module of a module known by name. */
    int insert(Mod m, int flags, String options) throws IOException {
        Path p = path(m.name());
        if (p == null) {
            LibkmodLog.log(log, Log.ERR, LibkmodLog.INSERT_NOT_FOUND, "could not find module by name='" + m.name() + "'\n");
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
                LibkmodLog.log(log, Log.INFO, LibkmodLog.INSERT_FAILED, "Failed to insert module '" + file + "': " + Messages.strerror(-err) + "\n");
                return err;
            }
            k.init(image(file, compression), options);
            return 0;
        } catch (LoaderException e) {
            LibkmodLog.log(log, Log.INFO, LibkmodLog.INSERT_FAILED, "Failed to insert module '" + file + "': " + Messages.strerror(e.errno()) + "\n");
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
                LibkmodLog.log(log, Log.ERR, LibkmodLog.REMOVE, "could not remove '" + name + "': " + Messages.strerror(e.errno()) + "\n");
            }
            return -e.errno();
        }
    }

    public Log log() {
        return log;
    }
}

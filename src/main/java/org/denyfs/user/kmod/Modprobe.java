package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * kmod's tools/modprobe.c over {@link Loader}: insert (with dependencies) or remove modules by name
 * or alias, with the same messages, the same "FATAL ends the command" rule and the same exit
 * status (0 or 1).
 */
public final class Modprobe {
    /** The command line, as modprobe's getopt leaves it. */
    public record Options(boolean all, boolean remove, boolean removeHolders, boolean firstTime,
            boolean ignoreCommands, boolean useBlacklist, boolean force, boolean forceModversion,
            boolean forceVermagic, boolean showDepends, boolean dryRun, boolean resolveAlias,
            boolean quiet, int verbose, boolean showConfig) {}

    /** A FATAL message was logged: kmod's log_printf exits right there with status 1. */
    private static final class Fatal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fatal() {
            super(null, null, false, false);
        }
    }

    private final Loader loader;
    private final Options o;
    private final Log log;
    private final int verbose;
    private final int logPriority;
    private final boolean ignoreLoaded;
    private final boolean dryRun;

    public Modprobe(Loader loader, Options o) {
        this.loader = loader;
        this.o = o;
        this.log = loader.log();
        this.verbose = o.quiet() ? Log.EMERG : Log.WARNING + o.verbose();
        this.logPriority = o.all() ? Log.WARNING : Log.CRIT;
        this.ignoreLoaded = o.showDepends();
        this.dryRun = o.showDepends() || o.dryRun();
    }

    /** The logging threshold the tool's Log should apply to the library's messages (kmod: -q, -v). */
    public static int threshold(Options o) {
        return o.quiet() ? Log.EMERG : Log.WARNING + o.verbose();
    }

    /** modprobe's main after option parsing: 0 (EXIT_SUCCESS) or 1. */
    public int run(List<String> args) {
        try {
            if (args.isEmpty() && !o.showConfig()) {
                err("missing parameters. See -h.\n");
                return 1;
            }
            int err;
            if (o.showConfig()) {
                err = showConfig();
            } else if (o.remove()) {
                err = 0;
                for (String a : args) {
                    int r = rmmod(a);
                    if (r < 0) {
                        err = r;
                    }
                }
            } else if (o.all()) {
                err = 0;
                for (String a : args) {
                    int r = insmod(a, null);
                    if (r < 0) {
                        err = r;
                    }
                }
            } else {
                err = insmod(args.get(0), optionsFromArray(args));
            }
            return err >= 0 ? 0 : 1;
        } catch (Fatal f) {
            return 1;
        } catch (IOException e) {
            err(e.getMessage() + "\n");
            return 1;
        }
    }

    /** options_from_array: the words after the name, a value with a space quoted. */
    static String optionsFromArray(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (sb.length() > 0) {
                sb.append(' ');
            }
            int eq = a.indexOf('=');
            String value = eq < 0 ? null : a.substring(eq + 1);
            if (value != null && !value.startsWith("\"") && !value.startsWith("'") && value.contains(" ")) {
                sb.append(a, 0, eq + 1).append('"').append(value).append('"');
            } else {
                sb.append(a);
            }
        }
        return sb.toString();
    }

    private void LOG(String msg) {
        if (logPriority <= verbose) {
            log.log(logPriority, msg);
            if (logPriority <= Log.CRIT) {
                throw new Fatal();
            }
        }
    }

    private void err(String msg) {
        if (Log.ERR <= verbose) {
            log.log(Log.ERR, msg);
        }
    }

    private void show(String line) {
        if (o.showDepends() || verbose > Log.WARNING) {
            log.out(line);
        }
    }

    /** show_config: the configuration, then the alias and symbol indexes. */
    private int showConfig() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : loader.configDump()) {
            sb.append(line).append('\n');
        }
        sb.append("\n# End of configuration files. Dumping indexes now:\n\n");
        for (String line : loader.indexDump()) {
            sb.append(line).append('\n');
        }
        log.out(sb.toString());
        return 0;
    }

    private int insmod(String alias, String extraOptions) throws IOException {
        List<Loader.Mod> list = loader.lookup(alias);
        if (list == null || list.isEmpty()) {
            LOG("Module " + alias + " not found in directory " + loader.moduleDir() + "\n");
            return -Messages.ENOENT;
        }
        int flags = Loader.PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
        if (o.forceModversion() || o.force()) {
            flags |= Loader.PROBE_FORCE_MODVERSION;
        }
        if (o.forceVermagic() || o.force()) {
            flags |= Loader.PROBE_FORCE_VERMAGIC;
        }
        if (o.ignoreCommands()) {
            flags |= Loader.PROBE_IGNORE_COMMAND;
        }
        if (ignoreLoaded) {
            flags |= Loader.PROBE_IGNORE_LOADED;
        }
        if (dryRun) {
            flags |= Loader.PROBE_DRY_RUN;
        }
        if (o.useBlacklist()) {
            flags |= Loader.PROBE_APPLY_BLACKLIST;
        }
        if (o.firstTime()) {
            flags |= Loader.PROBE_FAIL_ON_LOADED;
        }
        Loader.Action action = o.showDepends() || verbose > Log.WARNING ? new Loader.Action() {
            @Override
            public void insert(Loader.Mod m, Path path, String options) {
                printAction(m, path, options);
            }

            @Override
            public void install(Loader.Mod m, String command, String options) {
                log.out("install " + command + " " + options + "\n");
            }
        } : null;
        int err = 0;
        for (Loader.Mod mod : list) {
            if (o.resolveAlias()) {
                log.out(mod.name() + "\n");
            } else {
                err = loader.probe(mod, flags, extraOptions, action);
            }
            if (err >= 0) {
                err = 0;
            } else if (err == -Messages.EEXIST) {
                err("could not insert '" + mod.name() + "': Module already in kernel\n");
            } else if (err == -Messages.ENOENT) {
                err("could not insert '" + mod.name() + "': Unknown symbol in module, or unknown parameter (see dmesg)\n");
            } else {
                err("could not insert '" + mod.name() + "': " + Messages.strerror(-err) + "\n");
            }
        }
        return err;
    }

    /** print_action: "insmod PATH OPTIONS" (the space stays when OPTIONS is empty), or "builtin NAME". */
    private void printAction(Loader.Mod m, Path path, String options) {
        try {
            if (path == null) {
                if (loader.isBuiltin(m)) {
                    log.out("builtin " + m.name() + "\n");
                }
            } else {
                log.out("insmod " + path + " " + options + "\n");
            }
        } catch (IOException e) {
            err(e.getMessage() + "\n");
        }
    }

    private int rmmod(String alias) throws IOException {
        List<Loader.Mod> list = loader.lookup(alias);
        if (list == null) {
            return -Messages.EINVAL; // kmod_module_new_from_lookup failed: no message
        }
        int err = 0;
        if (list.isEmpty()) {
            LOG("Module " + alias + " not found.\n");
            err = -Messages.ENOENT;
        }
        for (Loader.Mod mod : list) {
            err = rmmodDoModule(mod, o.removeHolders(), false);
            if (err < 0) {
                break;
            }
        }
        return err;
    }

    /**
     * rmmod_do_module of kmod 30: the post-softdeps (last first), the holders (with
     * --remove-holders), the module itself if no one uses it (or its remove command), then each of
     * its modules.dep dependencies whose refcnt is 0 at that moment, in libkmod's list order (the
     * line's last first: one pass, so a dependency still used by a later one stays), then the
     * pre-softdeps (last first).
     */
    private int rmmodDoModule(Loader.Mod mod, boolean removeHolders, boolean ignoreBuiltin) throws IOException {
        List<List<Loader.Mod>> soft = o.ignoreCommands() ? List.of(List.of(), List.of()) : loader.softdeps(mod);
        String cmd = o.ignoreCommands() ? null : loader.removeCommand(mod);
        if (cmd == null && !ignoreLoaded) {
            var state = loader.initstate(mod);
            if (state.isEmpty()) {
                if (o.firstTime()) {
                    LOG("Module " + mod.name() + " is not in kernel.\n");
                    return -Messages.ENOENT;
                }
                return 0;
            } else if (state.get().equals("builtin")) {
                if (ignoreBuiltin) {
                    return 0;
                }
                LOG("Module " + mod.name() + " is builtin.\n");
                return -Messages.ENOENT;
            }
        }
        doModlist(soft.get(1), false);
        if (removeHolders) {
            int err = doModlist(loader.holders(mod), true);
            if (err < 0) {
                return err;
            }
        }
        if (cmd == null && !ignoreLoaded && refcnt(mod.name()) > 0) {
            LOG("Module " + mod.name() + " is in use.\n");
            return -Messages.EBUSY;
        }
        int err = cmd == null ? removeModule(mod.name()) : removeCommand(mod, cmd);
        if (err < 0) {
            return err;
        }
        if (cmd == null) {
            for (Loader.Mod dep : loader.dependencies(mod)) {
                if (refcnt(dep.name()) == 0) {
                    removeModule(dep.name());
                }
            }
        }
        doModlist(soft.get(0), false);
        return 0;
    }

    /** modprobe's command_do for a remove command: shown with -v, run unless a dry run; FATAL if it fails. */
    private int removeCommand(Loader.Mod mod, String command) {
        String cmd = command.replace("$CMDLINE_OPTS", "");
        show("remove " + cmd + "\n");
        if (dryRun) {
            return 0;
        }
        int status = loader.system(mod, cmd);
        if (status != 0) {
            LOG("Error running remove command for " + mod.name() + "\n");
            return status == -1 ? -1 : -status;
        }
        return 0;
    }

    private int refcnt(String name) throws IOException {
        try {
            return loader.kernel().refcnt(name);
        } catch (LoaderException e) {
            return -e.errno();
        }
    }

    private int doModlist(List<Loader.Mod> list, boolean stopOnErrors) throws IOException {
        for (int i = list.size() - 1; i >= 0; i--) {
            int r = rmmodDoModule(list.get(i), false, true);
            if (r < 0 && stopOnErrors) {
                return r;
            }
        }
        return 0;
    }

    /** rmmod_do_remove_module: "rmmod NAME" shown with -v or --show-depends; nothing removed on a dry run. */
    private int removeModule(String name) throws IOException {
        show("rmmod " + name + "\n");
        if (dryRun) {
            return 0;
        }
        int err = loader.remove(name, o.force(), false);
        if (err == -Messages.EEXIST) {
            if (!o.firstTime()) {
                return 0;
            }
            LOG("Module " + name + " is not in kernel.\n");
        }
        return err;
    }
}

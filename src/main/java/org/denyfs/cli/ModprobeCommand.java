package org.denyfs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.denyfs.user.kmod.ConsoleLog;
import org.denyfs.user.kmod.Loader;
import org.denyfs.user.kmod.Modprobe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "modprobe", exitCodeOnInvalidInput = 1,
        description = {
            "Add or remove modules, with their dependencies, in the emulated kernel of a denyfs mount, as kmod's "
                    + "modprobe(8) (kmod 30, Debian bookworm) does in Linux.",
            "",
            "NAME is looked up as libkmod does, the first source that knows it winning: modprobe.d aliases, "
                    + "modules.dep (a module name; '-' and '_' are the same), modules.symbols (symbol:NAME), "
                    + "the modules of modprobe.d's install and remove commands, modules.alias (shell-glob patterns: "
                    + "every matching module is probed, in depmod's order), modules.builtin. Each module found is "
                    + "probed: its dependencies from modules.dep first (the last listed first), each after its "
                    + "'pre:' softdeps and before its 'post:' ones, then the module the same way, with PARAMS added "
                    + "to any 'options' of modprobe.d. A module with an install command (and no softdeps) runs it "
                    + "through /bin/sh instead, with $CMDLINE_OPTS (its options) and $MODPROBE_MODULE (its name). Modules "
                    + "already live (their initstate in .denyfs/sys/module/NAME says so) or built in are skipped; a module still "
                    + "loading is not (the kernel waits, then says EEXIST). EEXIST counts as success, except for "
                    + "NAME itself with --first-time; any other error of a required module ends the probe and is "
                    + "reported under NAME: 'modprobe: ERROR: could not insert 'NAME': MESSAGE'. Softdep failures are "
                    + "ignored. A module that is not found is 'modprobe: FATAL: Module NAME not found in directory "
                    + "DIR'.",
            "",
            "Each insertion is one finit_module(2) on a descriptor of this process (the DENYFS_IOC_FINIT ioctl). "
                    + "Compressed modules follow kmod 31+: finit_module with MODULE_INIT_COMPRESSED_FILE when "
                    + ".denyfs/sys/module/compression matches the file, else decompression here and init_module(2).",
            "",
            "-r removes NAME's post-softdeps, NAME (or runs its remove command), then each of its dependencies "
                    + "whose refcnt is 0 when it is looked at (one pass, the last listed first), then its pre-softdeps; "
                    + "a module in use is "
                    + "'modprobe: FATAL: Module NAME is in use.'. -n and --show-depends print what would be done "
                    + "('insmod PATH PARAMS', 'builtin NAME', 'rmmod NAME') and change nothing; --show-depends also "
                    + "ignores what is loaded and needs no mount.",
            "",
            "Configuration: the *.conf files of ROOT/etc/modprobe.d, ROOT/run/modprobe.d, "
                    + "ROOT/usr/local/lib/modprobe.d and ROOT/lib/modprobe.d (the emulated system's, never the "
                    + "host's), or those given with -C (*.conf and *.alias files, in file-name order), and depmod's "
                    + "modules.softdep: alias, options, blacklist, softdep (the first that matches the module), install "
                    + "and remove. A bad line is reported and skipped. The kernel command line adds nothing; "
                    + "MODPROBE_OPTIONS is not read."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"0:success", "1:any failure, bad usage included (as kmod's modprobe)"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  export DENYFS_MOUNT=/mnt/m",
            "  denyfs modprobe aesni_intel",
            "  denyfs modprobe --show-depends -d /mnt/m aes",
            "  denyfs modprobe -r aesni_intel"})
final class ModprobeCommand implements Callable<Integer> {
    @Option(names = "--mount", paramLabel = "MNT", description = "The denyfs mount (default: $DENYFS_MOUNT).")
    Path mount;
    @Option(names = {"-d", "--dirname"}, paramLabel = "ROOT", description = "The tree holding lib/modules/RELEASE (default: MNT).")
    Path root;
    @Option(names = {"-S", "--set-version"}, paramLabel = "RELEASE", description = "The release (default: the only one under ROOT/lib/modules, else uname -r).")
    String release;
    @Option(names = {"-C", "--config"}, paramLabel = "FILE", description = "A modprobe.d file or directory to read instead of the defaults (repeatable).")
    List<Path> config = new ArrayList<>();
    @Option(names = {"-a", "--all"}, description = "Every argument is a module name (no PARAMS).")
    boolean all;
    @Option(names = {"-r", "--remove"}, description = "Remove the modules, then their unused dependencies.")
    boolean remove;
    @Option(names = {"--remove-holders", "--remove-dependencies"}, description = "With -r: remove the modules' holders first.")
    boolean removeHolders;
    @Option(names = {"-n", "--dry-run", "--show"}, description = "Do everything but insert or remove.")
    boolean dryRun;
    @Option(names = {"-D", "--show-depends"}, description = "Print the insmod lines of NAME and its dependencies, loaded or not; change nothing.")
    boolean showDepends;
    @Option(names = {"-R", "--resolve-alias"}, description = "Print the module names NAME resolves to.")
    boolean resolveAlias;
    @Option(names = {"-v", "--verbose"}, description = "Print each insmod/rmmod done; repeat for more.")
    boolean[] verbose = new boolean[0];
    @Option(names = {"-q", "--quiet"}, description = "Print no error messages.")
    boolean quiet;
    @Option(names = {"-b", "--use-blacklist"}, description = "Apply modprobe.d blacklists to NAME too (always applied to aliases).")
    boolean useBlacklist;
    @Option(names = {"-i", "--ignore-install", "--ignore-remove"}, description = "Ignore the softdeps of NAME and the install and remove commands of modprobe.d.")
    boolean ignoreCommands;
    @Option(names = "--first-time", description = "Fail if NAME is already loaded (or, with -r, not loaded).")
    boolean firstTime;
    @Option(names = {"-f", "--force"}, description = "Both --force-vermagic and --force-modversion; with -r, force the removal (O_TRUNC).")
    boolean force;
    @Option(names = "--force-vermagic", description = "finit flag MODULE_INIT_IGNORE_VERMAGIC.")
    boolean forceVermagic;
    @Option(names = "--force-modversion", description = "finit flag MODULE_INIT_IGNORE_MODVERSIONS.")
    boolean forceModversion;
    @Option(names = {"-c", "--showconfig", "--show-config"}, description = "Print the configuration (the modprobe.d files, then depmod's softdeps), then the alias and symbol indexes, as kmod's modprobe -c does.")
    boolean showConfig;
    @Option(names = {"-s", "--syslog"}, hidden = true)
    boolean syslog;
    @Parameters(paramLabel = "NAME|ALIAS [PARAMS]", description = "A module name or alias, and PARAM=VALUE words.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Modprobe.Options o = new Modprobe.Options(all, remove, removeHolders, firstTime, ignoreCommands, useBlacklist,
                force, forceModversion, forceVermagic, showDepends, dryRun, resolveAlias, quiet, verbose.length, showConfig);
        Path mnt = ConsoleLog.mount(mount);
        Path tree = root != null ? root.toAbsolutePath() : mnt != null ? mnt : Path.of("/");
        ConsoleLog log = new ConsoleLog("modprobe", Modprobe.threshold(o));
        Loader loader = Loader.open(mnt, Loader.moduleDir(tree, release),
                config.isEmpty() ? Loader.defaultConfig(tree) : config, log);
        return new Modprobe(loader, o).run(args);
    }
}

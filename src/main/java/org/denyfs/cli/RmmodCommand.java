package org.denyfs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.denyfs.user.kmod.ConsoleLog;
import org.denyfs.user.kmod.Loader;
import org.denyfs.user.kmod.Log;
import org.denyfs.user.kmod.Rmmod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rmmod", exitCodeOnInvalidInput = 1,
        description = {
            "Remove modules from the emulated kernel of a denyfs mount, as kmod's rmmod(8) does from Linux.",
            "",
            "NAME is a module name ('-' and '_' are the same) or a module file. Without -f a module that is not "
                    + "loaded ('rmmod: ERROR: Module NAME is not currently loaded'), is built in, has holders "
                    + "('rmmod: ERROR: Module NAME is in use by: HOLDER...') or a refcount above 0 ('Module NAME is "
                    + "in use') is refused before any call. Otherwise one delete_module(2) with O_NONBLOCK (and "
                    + "O_TRUNC with -f), whose error is printed as 'rmmod: ERROR: could not remove module NAME: "
                    + "MESSAGE' (EAGAIN 'Resource temporarily unavailable' while other modules use it, EBUSY 'Device "
                    + "or resource busy' while it is loading or unloading). Dependencies are not removed: see "
                    + "'denyfs modprobe -r'."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"0:every module was removed", "1:otherwise, bad usage included (as kmod's rmmod)"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  DENYFS_MOUNT=/mnt/m denyfs rmmod aesni_intel"})
final class RmmodCommand implements Callable<Integer> {
    @Option(names = "--mount", paramLabel = "MNT", description = "The denyfs mount (default: $DENYFS_MOUNT).")
    Path mount;
    @Option(names = {"-f", "--force"}, description = "Skip the in-use checks and pass O_TRUNC: the kernel then ignores the refcount, not the holders.")
    boolean force;
    @Option(names = {"-s", "--syslog"}, hidden = true)
    boolean syslog;
    @Option(names = {"-v", "--verbose"}, description = "Print more messages.")
    boolean[] verbose = new boolean[0];
    @Parameters(paramLabel = "NAME", description = "Module names or files.")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path mnt = ConsoleLog.mount(mount);
        Log log = new ConsoleLog("rmmod", Log.WARNING + verbose.length);
        return Rmmod.run(Loader.open(mnt, mnt == null ? null : Loader.moduleDir(mnt, null), List.of(), log), names, force);
    }
}

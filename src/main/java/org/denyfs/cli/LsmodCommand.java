package org.denyfs.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.denyfs.user.kmod.ConsoleLog;
import org.denyfs.user.kmod.Loader;
import org.denyfs.user.kmod.Log;
import org.denyfs.user.kmod.Lsmod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "lsmod", exitCodeOnInvalidInput = 1,
        description = {
            "Show the modules of the emulated kernel of a denyfs mount, as kmod's lsmod(8) shows Linux's.",
            "",
            "Reads the mount's module list (.denyfs/proc/modules, newest first) and each module's coresize, "
                    + "refcnt and holders/ in .denyfs/sys/module/NAME, and prints kmod's columns: 'Module                  Size  "
                    + "Used by', then name, size and refcount as printf's '%%-19s %%8ld  %%d' prints them, followed by the "
                    + "holders joined with commas."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"0:the list was printed",
            "1:it cannot be read ('Error: could not get list of modules: ...'), or bad usage"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  DENYFS_MOUNT=/mnt/m denyfs lsmod"})
final class LsmodCommand implements Callable<Integer> {
    @Option(names = "--mount", paramLabel = "MNT", description = "The denyfs mount (default: $DENYFS_MOUNT).")
    Path mount;

    @Override
    public Integer call() throws Exception {
        return Lsmod.run(Loader.open(ConsoleLog.mount(mount), null, List.of(), new ConsoleLog("lsmod", Log.WARNING)));
    }
}

package org.denyfs.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.denyfs.loader.ConsoleLog;
import org.denyfs.loader.Loader;
import org.denyfs.loader.Log;
import org.denyfs.loader.Lsmod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "lsmod", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
        description = {
            "Show the modules of the emulated kernel of a denyfs mount, as kmod's lsmod(8) shows Linux's.",
            "",
            "Reads the mount's .denyfs/proc/modules (newest first) and, per module, .denyfs/sys/module/NAME/"
                    + "{coresize,refcnt,holders/}, and prints kmod's columns: 'Module                  Size  "
                    + "Used by', then printf(\"%-19s %8ld  %d\") of name, size and refcount, followed by the "
                    + "holders joined with commas.",
            "",
            "Exit status: 0, or 1 if the list cannot be read ('Error: could not get list of modules: ...')."})
final class LsmodCommand implements Callable<Integer> {
    @Option(names = "--mount", paramLabel = "MNT", description = "The denyfs mount (default: $DENYFS_MOUNT).")
    Path mount;

    @Override
    public Integer call() throws Exception {
        return Lsmod.run(Loader.open(ConsoleLog.mount(mount), null, List.of(), new ConsoleLog("lsmod", Log.WARNING)));
    }
}

package org.denyfs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.denyfs.user.kmod.ConsoleLog;
import org.denyfs.user.kmod.Insmod;
import org.denyfs.user.kmod.Loader;
import org.denyfs.user.kmod.Log;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "insmod", exitCodeOnInvalidInput = 1,
        description = {
            "Insert FILE into the emulated kernel of a denyfs mount, as kmod's insmod(8) does into Linux.",
            "",
            "One finit_module(2): FILE is opened read-only by this process and handed to the mount's kernel "
                    + "with the DENYFS_IOC_FINIT ioctl on that descriptor, so the kernel's rules for the file's inode "
                    + "(exclusive, exclusive-read or idempotent loads, per the mount's policy) apply to this very open file. PARAMS "
                    + "are joined with spaces into the module's parameter string. No dependency is loaded (use "
                    + "'denyfs modprobe') and a failure is never retried.",
            "",
            "Compressed modules (.ko.xz, .ko.zst, .ko.gz) are handled as kmod 31 and later do: when the mount's "
                    + "kernel supports the file's compression (its sys/module/compression view says so), "
                    + "finit_module with "
                    + "MODULE_INIT_COMPRESSED_FILE; otherwise insmod decompresses the file itself and uses "
                    + "init_module(2), which (as on Linux) gives the file no inode exclusion at all. A FILE that is "
                    + "not on a denyfs mount is loaded the same way.",
            "",
            "Errors are printed as kmod prints them: 'insmod: ERROR: could not insert module FILE: MESSAGE', "
                    + "with kmod's wording (ENOEXEC 'Invalid module format', ENOENT 'Unknown symbol in module', "
                    + "ESRCH 'Module has wrong symbol version', EINVAL 'Invalid parameters', otherwise strerror: "
                    + "EEXIST 'File exists', ETXTBSY 'Text file busy')."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"0:the module was inserted", "1:otherwise, bad usage included (as kmod's insmod)"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  export DENYFS_MOUNT=/mnt/m",
            "  denyfs insmod /mnt/m/lib/modules/*/kernel/crypto/cryptd.ko"})
final class InsmodCommand implements Callable<Integer> {
    @Option(names = "--mount", paramLabel = "MNT", description = "The denyfs mount whose kernel to use (default: $DENYFS_MOUNT).")
    Path mount;

    @Option(names = {"-f", "--force"}, description = "Pass MODULE_INIT_IGNORE_VERMAGIC and MODULE_INIT_IGNORE_MODVERSIONS.")
    boolean force;

    @Option(names = {"-s", "--syslog", "-p"}, hidden = true, description = "Ignored, as by kmod.")
    boolean ignored;

    @Parameters(index = "0", paramLabel = "FILE", description = "The module file.")
    String file;

    @Parameters(index = "1..*", paramLabel = "PARAM=VALUE", description = "Module parameters.")
    List<String> params = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Log log = new ConsoleLog("insmod", Log.WARNING);
        return Insmod.run(Loader.open(ConsoleLog.mount(mount), null, List.of(), log), file, params, force);
    }
}

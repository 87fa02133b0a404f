package org.denyfs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.denyfs.user.kmod.ConsoleLog;
import org.denyfs.user.kmod.Loader;
import org.denyfs.user.kmod.Log;
import org.denyfs.user.kmod.Modinfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "modinfo", exitCodeOnInvalidInput = 1,
        description = {
            "Show information about a module, as kmod's modinfo(8) does, from files only (no mount needed).",
            "",
            "The argument is a module file (an existing .ko, .ko.gz, .ko.xz or .ko.zst) or a name or alias, "
                    + "looked up in ROOT/lib/modules/RELEASE as modprobe does (every match is shown). Output: "
                    + "'filename:', then every .modinfo field in file order as 'KEY:' padded to 16 columns, then "
                    + "the signature (sig_id, signer, sig_key, sig_hashalgo, signature, hex wrapped after 20 bytes "
                    + "as kmod does), then 'parm:' lines (description and type merged, newest first). A built-in "
                    + "module shows 'name:', 'filename: (builtin)' and its modules.builtin.modinfo fields.",
},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"0:every argument was found and shown",
            "1:an argument was not found ('modinfo: ERROR: Module NAME not found.') or could not be read, or bad "
                    + "usage"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  denyfs modinfo -b /mnt/m cryptd",
            "  denyfs modinfo -F depends /mnt/m/lib/modules/*/kernel/crypto/aes*"})
final class ModinfoCommand implements Callable<Integer> {
    @Option(names = {"-F", "--field"}, paramLabel = "FIELD", description = "Print only FIELD's values, one per line.")
    String field;
    @Option(names = {"-a", "--author"}, description = "Same as -F author.")
    boolean author;
    @Option(names = {"-d", "--description"}, description = "Same as -F description.")
    boolean description;
    @Option(names = {"-l", "--license"}, description = "Same as -F license.")
    boolean license;
    @Option(names = {"-p", "--parameters"}, description = "Same as -F parm.")
    boolean parameters;
    @Option(names = {"-n", "--filename"}, description = "Same as -F filename.")
    boolean filename;
    @Option(names = {"-0", "--null"}, description = "End each value with NUL instead of a newline.")
    boolean nul;
    @Option(names = {"-m", "--modname"}, description = "The argument is a module name, not an alias or file.")
    boolean modname;
    @Option(names = {"-k", "--set-version"}, paramLabel = "RELEASE", description = "The release (default: the only one under ROOT/lib/modules, else uname -r).")
    String release;
    @Option(names = {"-b", "--basedir"}, paramLabel = "ROOT", description = "The tree holding lib/modules (default: $DENYFS_MOUNT, else /).")
    Path root;
    @Parameters(paramLabel = "NAME|FILE")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String f = author ? "author" : description ? "description" : license ? "license" : parameters ? "parm"
                : filename ? "filename" : field;
        Path mnt = ConsoleLog.mount(null);
        Path tree = root != null ? root.toAbsolutePath() : mnt != null ? mnt : Path.of("/");
        Loader loader = Loader.open(null, Loader.moduleDir(tree, release), List.of(), new ConsoleLog("modinfo", Log.WARNING));
        return new Modinfo(loader, new Modinfo.Options(f, nul ? '\0' : '\n', modname)).run(args);
    }
}

package org.denyfs.user.kmod;

import java.io.IOException;
import java.util.List;

/** kmod's tools/rmmod.c: delete_module of each NAME (or module FILE), refusing a module in use unless -f. */
public final class Rmmod {
    private Rmmod() {}

    /** @return the exit status: 0 if every module was removed, else 1 */
    public static int run(Loader loader, List<String> names, boolean force) {
        Log log = loader.log();
        if (names.isEmpty()) {
            log.log(Log.ERR, "missing module name.\n");
            return 1;
        }
        int failed = 0;
        for (String arg : names) {
            String name = ModuleIndex.moduleName(arg); // from a path or a name alike: basename, up to ".", "-" as "_"
            try {
                if (!force && checkModuleInuse(loader, name) < 0) {
                    failed++;
                    continue;
                }
                int err = loader.remove(name, force, false);
                if (err < 0) {
                    log.log(Log.ERR, "could not remove module " + arg + ": " + Messages.strerror(-err) + "\n");
                    failed++;
                }
            } catch (IOException e) {
                log.log(Log.ERR, "could not remove module " + arg + ": " + e.getMessage() + "\n");
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static int checkModuleInuse(Loader loader, String name) throws IOException {
        Log log = loader.log();
        var state = loader.initstate(new Loader.Mod(name, null, false));
        if (state.isPresent() && state.get().equals("builtin")) {
            log.log(Log.ERR, "Module " + name + " is builtin.\n");
            return -Messages.ENOENT;
        } else if (state.isEmpty()) {
            log.log(Log.ERR, "Module " + name + " is not currently loaded\n");
            return -Messages.ENOENT;
        }
        List<String> holders = loader.kernel().holders(name);
        if (!holders.isEmpty()) {
            log.log(Log.ERR, "Module " + name + " is in use by: " + String.join(" ", holders) + "\n");
            return -Messages.EBUSY;
        }
        int refcnt;
        try {
            refcnt = loader.kernel().refcnt(name);
        } catch (LoaderException e) {
            refcnt = -e.errno();
        }
        if (refcnt > 0) {
            log.log(Log.ERR, "Module " + name + " is in use\n");
            return -Messages.EBUSY;
        } else if (refcnt == -Messages.ENOENT) {
            log.log(Log.ERR, "Module unloading is not supported\n");
        }
        return refcnt;
    }
}

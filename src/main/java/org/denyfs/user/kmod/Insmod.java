package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** kmod's tools/insmod.c: one finit_module of FILE, the error printed, never a retry. */
public final class Insmod {
    private Insmod() {}

    /** @return the exit status: 0, or 1 after "could not insert module FILE: MESSAGE" */
    public static int run(Loader loader, String filename, List<String> params, boolean force) {
        Log log = loader.log();
        if (filename.equals("-")) {
            log.log(Log.ERR, "this tool does not support loading from stdin!\n");
            return 1;
        }
        Path file = Path.of(filename);
        if (!Files.exists(file)) { // kmod_module_new_from_path stats the file first
            log.log(Log.ERR, "could not load module " + filename + ": " + Messages.strerror(Messages.ENOENT) + "\n");
            return 1;
        }
        int flags = force ? Loader.PROBE_FORCE_MODVERSION | Loader.PROBE_FORCE_VERMAGIC : 0;
        int err;
        try {
            err = loader.insertFile(file, String.join(" ", params), flags);
        } catch (IOException e) {
            log.log(Log.ERR, "could not insert module " + filename + ": " + e.getMessage() + "\n");
            return 1;
        }
        if (err < 0) {
            log.log(Log.ERR, "could not insert module " + filename + ": " + Messages.of(-err) + "\n");
            return 1;
        }
        return 0;
    }
}

package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.denyfs.abi.Abi;

/** kmod's tools/lsmod.c: /proc/modules with /sys/module's coresize, refcnt and holders, in kmod's columns. */
public final class Lsmod {
    public static final String HEADER = "Module                  Size  Used by";

    private Lsmod() {}

    public static int run(Loader loader) {
        Log log = loader.log();
        try {
            KernelClient k = loader.kernel();
            StringBuilder out = new StringBuilder(HEADER).append('\n');
            for (KernelClient.ProcModule m : k.procModules()) {
                int refcnt;
                try {
                    refcnt = k.refcnt(m.name());
                } catch (LoaderException e) {
                    refcnt = -e.errno();
                }
                out.append(row(m.name(), size(k, m), refcnt, k.holders(m.name()))).append('\n');
            }
            log.out(out.toString());
            return 0;
        } catch (IOException | RuntimeException e) {
            log.stderr("Error: could not get list of modules: " + e.getMessage() + "\n");
            return 1;
        }
    }

    /** printf("%-19s %8ld  %d") and " holder,holder". */
    static String row(String name, long size, int refcnt, java.util.List<String> holders) {
        String s = String.format("%-19s %8d  %d", name, size, refcnt);
        return holders.isEmpty() ? s : s + " " + String.join(",", holders);
    }

    /** kmod_module_get_size: /sys/module/NAME/coresize, else /proc/modules' size. */
    private static long size(KernelClient k, KernelClient.ProcModule m) {
        Path p = k.mount().resolve(Abi.SYS_MODULE).resolve(m.name()).resolve("coresize");
        try {
            return Long.parseLong(Files.readString(p).trim());
        } catch (IOException | NumberFormatException e) {
            return m.size();
        }
    }
}

package org.denyfs.kernel.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.denyfs.kernel.module.Modules;

/**
 * The read-only tree under MOUNT/.denyfs, computed from the emulated kernel at each lookup so it
 * is never stale (files are served direct_io from a snapshot taken at open, like a seq_file):
 * <pre>
 * .denyfs/control                         the control file (see Control)
 * .denyfs/stats                           debugfs modules/stats, plus bytes in flight
 * .denyfs/calls                           finit/init_module calls per file and result, with CPU time
 * .denyfs/inflight                        bytes in flight at each change, by CLOCK_MONOTONIC time
 * .denyfs/calltrace                       each finit/init_module call as it ended, by CLOCK_MONOTONIC time
 * .denyfs/proc/modules                    /proc/modules
 * .denyfs/sys/module/NAME/initstate       live, coming, going
 * .denyfs/sys/module/NAME/refcnt          the reference count
 * .denyfs/sys/module/NAME/coresize        the module's size
 * .denyfs/sys/module/NAME/holders/USER    a symlink per module that uses NAME
 * .denyfs/sys/module/compression          the format finit_module's COMPRESSED_FILE undoes (if any)
 * </pre>
 */
final class Views {
    sealed interface Node permits Dir, File, Link {}

    record Dir(List<String> entries) implements Node {}

    record File(byte[] content) implements Node {}

    record Link(String target) implements Node {}

    private static final String SYS_MODULE = VirtualTree.DIR + "/sys/module";
    private final Modules modules;
    private final ConcurrentHashMap<String, Long> inos = new ConcurrentHashMap<>();
    private final AtomicLong nextIno = new AtomicLong(VirtualTree.CONTROL_INO + 1);

    Views(Modules modules) {
        this.modules = modules;
    }

    /** The node at {@code path} (under /.denyfs, control excluded), or null for ENOENT. */
    Node lookup(String path) {
        switch (path) {
            case VirtualTree.DIR:
                return new Dir(List.of("control", "stats", "calls", "calltrace", "inflight", "proc", "sys"));
            case VirtualTree.DIR + "/stats":
                return file(stats());
            case VirtualTree.DIR + "/calls":
                return file(modules.callsTable());
            case VirtualTree.DIR + "/calltrace":
                return file(modules.callTrace());
            case VirtualTree.DIR + "/inflight":
                return file(modules.inflightTimeline());
            case VirtualTree.DIR + "/proc":
                return new Dir(List.of("modules"));
            case VirtualTree.DIR + "/proc/modules":
                return file(modules.procModules());
            case VirtualTree.DIR + "/sys":
                return new Dir(List.of("module"));
            case SYS_MODULE:
                return new Dir(sysModuleEntries());
            case SYS_MODULE + "/compression":
                return modules.compression().map(Views::file).orElse(null);
            default:
                return path.startsWith(SYS_MODULE + "/") ? module(path.substring(SYS_MODULE.length() + 1).split("/")) : null;
        }
    }

    private Node module(String[] parts) {
        String name = parts[0];
        if (modules.initstate(name).isEmpty()) {
            return null;
        }
        if (parts.length == 1) {
            return new Dir(List.of("initstate", "refcnt", "coresize", "holders"));
        }
        if (parts.length == 2) {
            return switch (parts[1]) {
                case "initstate" -> file(modules.initstate(name).orElse(""));
                case "refcnt" -> file(modules.refcnt(name).orElse(""));
                case "coresize" -> file(coresize(name) + "\n");
                case "holders" -> new Dir(modules.holders(name).orElse(List.of()));
                default -> null;
            };
        }
        if (parts.length == 3 && parts[1].equals("holders") && modules.holders(name).orElse(List.of()).contains(parts[2])) {
            return new Link("../../" + parts[2]);
        }
        return null;
    }

    /** The module directories, then the compression file as the kernel's module kset holds it. */
    private List<String> sysModuleEntries() {
        List<String> names = modules.moduleNames();
        if (modules.compression().isEmpty()) {
            return names;
        }
        List<String> all = new ArrayList<>(names);
        all.add("compression");
        return all;
    }

    /** The SIZE column of the module's /proc/modules line. */
    private String coresize(String name) {
        for (String line : modules.procModules().split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[0].equals(name)) {
                return f[1];
            }
        }
        return "0";
    }

    /** The kernel's text, with the daemon's own figures before the duplicates table. */
    private String stats() {
        String kernel = modules.stats();
        String ours = String.format("%25s\t%d\n%25s\t%d\n", "Bytes in flight now", modules.bytesInFlight(),
                "Peak bytes in flight", modules.peakBytesInFlight());
        int dups = kernel.indexOf("Duplicate failed modules:");
        return dups < 0 ? kernel + ours : kernel.substring(0, dups) + ours + kernel.substring(dups);
    }

    long ino(String path) {
        return inos.computeIfAbsent(path, p -> nextIno.getAndIncrement());
    }

    private static File file(String text) {
        return new File(text.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> withDots(List<String> entries) {
        List<String> all = new ArrayList<>(entries.size() + 2);
        all.add(".");
        all.add("..");
        all.addAll(entries);
        return all;
    }
}

package org.denyfs.kernel.module;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The symbols the emulated kernel image (vmlinux) exports to modules.
 *
 * <p>Two kinds exist, because a real vmlinux symbol list is not always at hand:
 * <ul>
 *   <li><b>closed</b>: exactly the listed symbols, with GPL flag, namespace and CRC where known
 *       ({@link #of}, {@link #fromModuleSymvers}, {@link #fromSystemMap}, {@link #none}). A module
 *       exporting a listed name is a duplicate export, as in the kernel.</li>
 *   <li><b>open</b>: every symbol except the given ones ({@link #allExcept}, {@link #all}). Use it
 *       with the exports of every module of a tree (what depmod sees) so that "not exported by a
 *       module" means "in vmlinux", and a symbol of an unloaded module stays unresolved (ENOENT), as
 *       on a real machine. An open set never claims a module's export as a duplicate.</li>
 * </ul>
 * Modules are searched before vmlinux; the kernel searches vmlinux first, which gives the same
 * answer whenever the two are disjoint, and lets an open set step aside for loaded modules.
 * Immutable and thread-safe.
 */
public final class VmlinuxSymbols {
    /** One vmlinux export; crc is -1 when unknown, namespace "" when none. */
    record Sym(String name, boolean gpl, String namespace, long crc) {}

    private final Map<String, Sym> listed;
    private final Set<String> excluded;
    private final boolean open;

    private VmlinuxSymbols(Map<String, Sym> listed, Set<String> excluded, boolean open) {
        this.listed = Map.copyOf(listed);
        this.excluded = Set.copyOf(excluded);
        this.open = open;
    }

    /** A kernel that exports nothing (every undefined symbol must come from a module). */
    public static VmlinuxSymbols none() {
        return new VmlinuxSymbols(Map.of(), Set.of(), false);
    }

    /** Exactly these symbols, non-GPL, no namespace, no CRC. */
    public static VmlinuxSymbols of(Collection<String> names) {
        Map<String, Sym> m = new HashMap<>();
        for (String n : names) {
            m.put(n, new Sym(n, false, "", -1));
        }
        return new VmlinuxSymbols(m, Set.of(), false);
    }

    /** Every symbol but these: "what no module of the tree exports is in vmlinux". */
    public static VmlinuxSymbols allExcept(Collection<String> moduleExports) {
        return new VmlinuxSymbols(Map.of(), Set.copyOf(moduleExports), true);
    }

    /** Every symbol that no loaded module exports. */
    public static VmlinuxSymbols all() {
        return allExcept(Set.of());
    }

    /**
     * The vmlinux lines of a Module.symvers: {@code 0xCRC<TAB>symbol<TAB>vmlinux<TAB>EXPORT_SYMBOL[_GPL]<TAB>namespace}.
     * Lines of modules (third field a path) are skipped: those come from the modules themselves.
     */
    public static VmlinuxSymbols fromModuleSymvers(Path symvers) throws IOException {
        Map<String, Sym> m = new HashMap<>();
        for (String line : Files.readAllLines(symvers, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", -1);
            if (f.length < 4 || !f[2].equals("vmlinux")) {
                continue;
            }
            long crc = -1;
            try {
                crc = Long.parseLong(f[0].startsWith("0x") ? f[0].substring(2) : f[0], 16) & 0xffffffffL;
            } catch (NumberFormatException e) {
                // a symvers without modversions has no usable CRC column
            }
            m.put(f[1], new Sym(f[1], f[3].endsWith("_GPL"), f.length > 4 ? f[4] : "", crc));
        }
        return new VmlinuxSymbols(m, Set.of(), false);
    }

    /**
     * The exports of a System.map: every {@code __ksymtab_NAME} entry names an exported NAME.
     * (Debian's packaged System.map is a one-line stub; then this set is empty.)
     */
    public static VmlinuxSymbols fromSystemMap(Path systemMap) throws IOException {
        Map<String, Sym> m = new HashMap<>();
        for (String line : Files.readAllLines(systemMap, StandardCharsets.UTF_8)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[2].startsWith("__ksymtab_")) {
                String n = f[2].substring("__ksymtab_".length());
                m.put(n, new Sym(n, false, "", -1));
            }
        }
        return new VmlinuxSymbols(m, Set.of(), false);
    }

    /** The vmlinux export of that name, or null. */
    Sym lookup(String name) {
        if (open) {
            return excluded.contains(name) ? null : new Sym(name, false, "", -1);
        }
        return listed.get(name);
    }

    /** A closed set can tell a module that it exports a name the kernel already has. */
    boolean claims(String name) {
        return !open && listed.containsKey(name);
    }

    public boolean contains(String name) {
        return lookup(name) != null;
    }

    @Override
    public String toString() {
        return open ? "vmlinux(all but " + excluded.size() + ")" : "vmlinux(" + listed.size() + " symbols)";
    }
}

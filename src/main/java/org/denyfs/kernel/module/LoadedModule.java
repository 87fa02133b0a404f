package org.denyfs.kernel.module;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.denyfs.image.ModuleImage;

/**
 * struct module: one entry of the module table. Everything mutable here is guarded by
 * {@link ModuleTable#mutex} (module_mutex).
 */
final class LoadedModule {
    /** The taints a module can carry, in the order module_flags_taint() prints them. */
    enum Taint {
        PROPRIETARY('P'), FORCED('F'), STAGING('C'), OUT_OF_TREE('O'), UNSIGNED('E');

        final char flag;

        Taint(char flag) {
            this.flag = flag;
        }
    }

    final String name;
    final ModuleImage image;
    /** Guarded by module_mutex. */
    ModuleState state = ModuleState.UNFORMED;
    /** module_refcount(): references beyond the base one, the init reference included while COMING. */
    int refcnt;
    /** The init sections are freed once init succeeds, and the size shrinks to the core. */
    boolean initFreed;
    /** source_list: modules that use this one, newest first (list_add at the head). */
    final List<LoadedModule> sources = new ArrayList<>();
    /** target_list: modules this one uses. */
    final List<LoadedModule> targets = new ArrayList<>();
    final EnumSet<Taint> taints = EnumSet.noneOf(Taint.class);

    LoadedModule(ModuleImage image) {
        this.name = image.name();
        this.image = image;
    }

    /** module_total_size(): what /proc/modules shows. */
    long size() {
        return initFreed ? image.coreSize() : image.totalSize();
    }

    /** "(OE)" or "" (module_flags() as m_show() calls it: only when tainted). */
    String taintFlags() {
        if (taints.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("(");
        for (Taint t : taints) {
            sb.append(t.flag);
        }
        return sb.append(')').toString();
    }

    @Override
    public String toString() {
        return name + "[" + state + ", refcnt " + refcnt + "]";
    }
}

package org.denyfs.kernel.module;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The read-only views of the module table: /proc/modules (kernel/module/procfs.c m_show() and
 * print_unload_info()) and /sys/module/NAME/{initstate,refcnt,holders}. Each takes module_mutex for
 * one consistent snapshot.
 */
final class ProcModules {
    private final ModuleTable table;

    ProcModules(ModuleTable table) {
        this.table = table;
    }

    /** /proc/modules: newest first, UNFORMED left out, ADDR as an unprivileged reader sees it. */
    String procModules() {
        StringBuilder sb = new StringBuilder();
        table.mutex.lock();
        try {
            for (LoadedModule m : table.list()) {
                if (m.state == ModuleState.UNFORMED) {
                    continue;
                }
                sb.append(m.name).append(' ').append(m.size());
                sb.append(' ').append(m.refcnt).append(' ');
                boolean printed = false;
                for (LoadedModule user : m.sources) {
                    sb.append(user.name).append(',');
                    printed = true;
                }
                if (m.image.hasInit() && !m.image.hasExit()) {
                    sb.append("[permanent],");
                    printed = true;
                }
                if (!printed) {
                    sb.append('-');
                }
                sb.append(' ').append(m.state.proc());
                sb.append(" 0x0000000000000000");
                String taints = m.taintFlags();
                if (!taints.isEmpty()) {
                    sb.append(' ').append(taints);
                }
                sb.append('\n');
            }
        } finally {
            table.mutex.unlock();
        }
        return sb.toString();
    }

    /** /sys/module/NAME/initstate, if the module has a sysfs directory (it is not UNFORMED). */
    Optional<String> initstate(String name) {
        table.mutex.lock();
        try {
            LoadedModule m = table.find(name, false);
            return m == null ? Optional.empty() : Optional.of(m.state.sysfs());
        } finally {
            table.mutex.unlock();
        }
    }

    /** /sys/module/NAME/refcnt. */
    Optional<String> refcnt(String name) {
        table.mutex.lock();
        try {
            LoadedModule m = table.find(name, false);
            return m == null ? Optional.empty() : Optional.of(m.refcnt + "\n");
        } finally {
            table.mutex.unlock();
        }
    }

    /** The entries of /sys/module/NAME/holders/: the modules that use it. */
    Optional<List<String>> holders(String name) {
        table.mutex.lock();
        try {
            LoadedModule m = table.find(name, false);
            if (m == null) {
                return Optional.empty();
            }
            List<String> out = new ArrayList<>();
            for (LoadedModule user : m.sources) {
                out.add(user.name);
            }
            return Optional.of(List.copyOf(out));
        } finally {
            table.mutex.unlock();
        }
    }

    /** The module directories of /sys/module (loadable modules only), newest first. */
    List<String> names() {
        table.mutex.lock();
        try {
            List<String> out = new ArrayList<>();
            for (LoadedModule m : table.list()) {
                if (m.state != ModuleState.UNFORMED) {
                    out.add(m.name);
                }
            }
            return List.copyOf(out);
        } finally {
            table.mutex.unlock();
        }
    }
}

package org.denyfs.kernel.module;

/** enum module_state (include/linux/module.h). */
enum ModuleState {
    /** Fully formed and running. */
    LIVE,
    /** Fully formed, running its init. */
    COMING,
    /** Going away: unloading, or its init failed. */
    GOING,
    /** Still being set up: invisible to /proc/modules, sysfs, symbol lookup and delete_module. */
    UNFORMED;

    /** /sys/module/NAME/initstate. */
    String sysfs() {
        switch (this) {
            case LIVE:
                return "live\n";
            case COMING:
                return "coming\n";
            case GOING:
                return "going\n";
            default:
                throw new IllegalStateException("an unformed module has no sysfs entry");
        }
    }

    /** The STATE column of /proc/modules. */
    String proc() {
        switch (this) {
            case LIVE:
                return "Live";
            case COMING:
                return "Loading";
            case GOING:
                return "Unloading";
            default:
                throw new IllegalStateException("an unformed module is not listed");
        }
    }
}

package org.denyfs.user.kmod;

/**
 * libkmod's own messages, in the form Debian's kmod 30 prints them. Debian builds kmod with
 * --enable-debug, so each message of the library names its source line and function: once the tool
 * has set its log function, "modprobe: ERROR: ../libkmod/FILE:LINE FUNC() message"; before (while
 * kmod_new() reads the configuration), libkmod's default, "libkmod: ERROR ../libkmod/FILE:LINE FUNC:
 * message", on stderr whatever -q or -v say. The locations are those of kmod 30's sources.
 */
final class LibkmodLog {
    static final String CONFIG_PARSE_BAD = "libkmod-config.c:712 kmod_config_parse";
    static final String CONFIG_PARSE_DEPRECATED = "libkmod-config.c:708 kmod_config_parse";
    static final String CONFIG_DIRECTORY = "libkmod-config.c:772 conf_files_filter_out";
    static final String CONFIG_OPENDIR = "libkmod-config.c:868 conf_files_list";
    static final String COMMAND_RUN = "libkmod-module.c:1041 command_do";
    static final String COMMAND_STATUS = "libkmod-module.c:1047 command_do";
    static final String SOFTDEP_LOOKUP = "libkmod-module.c:1567 lookup_softdep";
    static final String HOLDERS = "libkmod-module.c:1998 kmod_module_get_holders";
    static final String REMOVE = "libkmod-module.c:856 kmod_module_remove_module";
    static final String INSERT_NOT_FOUND = "libkmod-module.c:895 kmod_module_insert_module";
    static final String INSERT_FAILED = "libkmod-module.c:949 kmod_module_insert_module";

    private LibkmodLog() {}

    /** A message of the library at PRIORITY, through the tool's log function. */
    static void log(Log log, int priority, String where, String message) {
        log.log(priority, "../libkmod/" + where + "() " + message);
    }

    /** An error of kmod_new(), before the tool's log function is set: libkmod's default logger. */
    static void early(Log log, String where, String message) {
        log.stderr("libkmod: ERROR ../libkmod/" + where + ": " + message);
    }
}

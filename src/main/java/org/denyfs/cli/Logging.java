package org.denyfs.cli;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * Where the daemon's log lines go: the CLI decides, libraries only log (kmod's log_setup_kmod_log).
 * log4j's own shutdown hook is off (log4j2.component.properties): it would stop the log at the
 * first signal, before the unmount it should report; the daemon calls {@link #stop} last instead.
 */
final class Logging {
    private Logging() {}

    static void configure(Level level, Path file) {
        ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.setStatusLevel(Level.ERROR);
        b.setShutdownHook("disable");
        var layout = b.newLayout("PatternLayout").addAttribute("pattern", "%d{ISO8601} denyfs %-5level %msg%n%throwable");
        AppenderComponentBuilder appender = file == null
                ? b.newAppender("out", "Console").addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
                : b.newAppender("out", "File").addAttribute("fileName", file.toString()).addAttribute("append", true);
        b.add(appender.add(layout));
        b.add(b.newRootLogger(Level.WARN).add(b.newAppenderRef("out")));
        b.add(b.newLogger("org.denyfs", level).add(b.newAppenderRef("out")).addAttribute("additivity", false));
        Configurator.reconfigure(b.build());
    }

    /** Flushes and closes the log: the daemon's last step. */
    static void stop() {
        LogManager.shutdown();
    }
}

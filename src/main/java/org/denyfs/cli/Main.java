package org.denyfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code denyfs} command. Subcommands live in one table, as kmod's {@code kmod_cmds[]}: each
 * parses its arguments, calls one library entry point and maps the outcome to an exit status.
 * Commands that live outside cli ({@code bench}, which nothing may import) join the table at the
 * end, found through {@link ServiceLoader}: every {@code java.util.concurrent.Callable} listed in
 * META-INF/services that is a picocli {@code @Command}.
 * {@code scope = INHERIT} gives every subcommand, to any depth, {@code --help}, {@code --version}
 * and this layout; the build turns the same annotations into the man pages and the bash completion.
 */
@Command(name = "denyfs", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class, usageHelpWidth = HelpLayout.WIDTH, sortOptions = false,
        showEndOfOptionsDelimiterInUsageHelp = false,
        description = {
            "Linux write-deny semantics (i_writecount, ETXTBSY) on real files, in user space.",
            "",
            "denyfs mounts a FUSE passthrough of a backing directory that keeps one signed write count per "
                    + "backing inode with the kernel's rules: writers make it positive, deniers (running programs, "
                    + "module loads, explicit denies) negative, and each side gets 'Text file busy' while the other "
                    + "holds it. A control file in the mount, .denyfs/control, takes, queries and drops denies, "
                    + "and the mount emulates the kernel's module loading for kmod's tools.",
            "",
            "Run 'denyfs COMMAND --help' or 'man denyfs-COMMAND' for a command. README.md has the control "
                    + "protocol, the module subsystem and the benchmarks.",
            "",
            "From a checkout, the launcher (scripts/denyfs) also runs 'demo', which shows what denyfs does on "
                    + "a temporary mount, step by step; 'install [--prefix DIR] [--sbindir DIR]', "
                    + "which puts the launcher, the program, the mount helper, the man pages and the bash "
                    + "completion in place (default: under /usr/local, the helper in /sbin), and 'uninstall "
                    + "[--prefix DIR]', which removes every file install listed."},
        subcommands = {
            MountCommand.class, UmountCommand.class, StatusCommand.class, NativeTools.Ctl.class, NativeTools.Hold.class,
            ExecCommand.class,
            InsmodCommand.class, ModprobeCommand.class, RmmodCommand.class, LsmodCommand.class, ModinfoCommand.class},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"0:success", "1:the command failed (the message says why)", "2:bad usage"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  denyfs mount /srv/files /mnt/denyfs", "  denyfs ctl query /mnt/denyfs/prog",
            "  denyfs umount /mnt/denyfs"})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The whole command tree, with denyfs's handling of usage errors and failures. */
    static CommandLine commandLine() {
        CommandLine cl = commandTree();
        NativeTools.passArgumentsThrough(cl);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            line.getErr().println(line.getCommandSpec().qualifiedName() + ": " + Failure.describe(e));
            return 1;
        });
        return cl;
    }

    /** Every command, as declared: the table above, then the commands found outside cli (what the docs show). */
    static CommandLine commandTree() {
        CommandLine cl = new CommandLine(new Main());
        for (Callable<?> command : commandsElsewhere()) {
            cl.addSubcommand(command);
        }
        return cl;
    }

    @SuppressWarnings({"rawtypes", "unchecked"}) // ServiceLoader takes the raw Callable class
    private static List<Callable<?>> commandsElsewhere() {
        List<Callable<?>> commands = new ArrayList<>();
        for (Callable command : ServiceLoader.load(Callable.class, Main.class.getClassLoader())) {
            if (command.getClass().isAnnotationPresent(Command.class)) {
                commands.add(command);
            }
        }
        return commands;
    }

    /** No COMMAND: a usage error like any other. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no COMMAND given");
    }

    /**
     * One line that says what is wrong, then where to read more, as coreutils do; exit 2 (the loader's
     * commands keep kmod's 1). Never the whole help: it would bury the line that matters.
     */
    static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        err.println("Try '" + name + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The pom's version, put into version.properties by the build's resource filtering. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"denyfs " + p.getProperty("version", "(version unknown: built without Maven)")};
        }
    }
}

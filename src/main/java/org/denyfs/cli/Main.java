package org.denyfs.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code denyfs} command. Subcommands live in one table, as kmod's {@code kmod_cmds[]}: each
 * parses its arguments, calls one library entry point and maps the outcome to an exit status.
 */
@Command(name = "denyfs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
            "Linux write-deny semantics (i_writecount, ETXTBSY) on real files, in user space.",
            "",
            "denyfs mounts a FUSE passthrough of a backing directory that keeps one signed write count per "
                    + "backing inode with the kernel's rules: writers make it positive, deniers (running programs, "
                    + "module loads, explicit denies) negative, and each side gets 'Text file busy' while the other "
                    + "holds it."},
        footer = {"", "Run 'denyfs COMMAND --help' for a command's options. See README.md for the control protocol."})
public final class Main {
    /** name, class: the subcommand registry. */
    static final List<Class<?>> COMMANDS = List.of(
            MountCommand.class, UmountCommand.class, NativeTools.Ctl.class, NativeTools.Hold.class, ExecCommand.class,
            BenchCommand.class, InsmodCommand.class, ModprobeCommand.class, RmmodCommand.class, LsmodCommand.class, ModinfoCommand.class);

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> c : COMMANDS) {
            cl.addSubcommand(c);
        }
        NativeTools.passArgumentsThrough(cl);
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            line.getErr().println("denyfs " + line.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"denyfs " + (v == null ? "(development build)" : v)};
        }
    }
}

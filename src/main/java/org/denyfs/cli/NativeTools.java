package org.denyfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.denyfs.abi.NativeDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code denyfs hold} and {@code denyfs ctl} are C programs on libdenyfs (src/main/c/tools, built
 * into target/native/denyfs-hold and denyfs-ctl): shell scripts call them in loops, and a JVM per
 * call cost 0.3 s and 56 MB where flock(1) costs nothing. The launcher runs them directly; from the
 * jar they run as a child with the arguments untouched, and their {@code --help} is the manual.
 */
final class NativeTools {
    private NativeTools() {}

    @Command(name = "hold", description = {
        "Deny writes to FILE while COMMAND runs, like flock(1).",
        "",
        "denyfs hold [-x] [-w SECONDS] [-n] [-E N] FILE [--] COMMAND [ARGS...]  or  ... FILE -c 'LINE'. "
                + "A native tool: runs target/native/denyfs-hold with the arguments as given; "
                + "'denyfs hold --help' prints its manual."})
    static final class Hold implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws InterruptedException {
            return run("hold", args);
        }
    }

    @Command(name = "ctl", description = {
        "One control request for a file on a denyfs mount; text or --json.",
        "",
        "denyfs ctl [--json] query|deny|xdeny|allow|holders|status FILE. A native tool: runs "
                + "target/native/denyfs-ctl with the arguments as given; 'denyfs ctl --help' prints its manual."})
    static final class Ctl implements Callable<Integer> {
        /** Declared for the man page and the shell completion; the tool parses it. */
        @CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "VERB", completionCandidates = Verbs.class,
                description = "query, deny, xdeny, allow, holders, status or firmware (or an option of the tool's).")
        String verb;

        @CommandLine.Parameters(index = "1..*", paramLabel = "ARGS", description = "FILE, and more for the tool.")
        List<String> rest = new ArrayList<>();

        @Unmatched
        List<String> unmatched = new ArrayList<>();

        @Override
        public Integer call() throws InterruptedException {
            List<String> args = new ArrayList<>();
            if (verb != null) {
                args.add(verb);
            }
            args.addAll(rest);
            args.addAll(unmatched);
            return run("ctl", args);
        }
    }

    /** The control verbs, as denyfs_abi.h names them. */
    static final class Verbs extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Verbs() {
            super(List.of(org.denyfs.abi.Abi.VERB_QUERY, org.denyfs.abi.Abi.VERB_DENY, org.denyfs.abi.Abi.VERB_XDENY,
                    org.denyfs.abi.Abi.VERB_ALLOW, org.denyfs.abi.Abi.VERB_HOLDERS, org.denyfs.abi.Abi.VERB_STATUS));
        }
    }

    /**
     * Hands every argument to the tool as it came: picocli must not parse them (-- and -c included),
     * nor answer --help and --version itself (the tools' own --help is the manual; the options come
     * from the top command's inherited scope).
     */
    static void passArgumentsThrough(CommandLine denyfs) {
        for (String name : List.of("hold", "ctl")) {
            CommandLine tool = denyfs.getSubcommands().get(name);
            tool.setStopAtUnmatched(true).setUnmatchedOptionsArePositionalParams(true);
            for (String option : List.of("--help", "--version")) {
                CommandLine.Model.OptionSpec spec = tool.getCommandSpec().findOption(option);
                if (spec != null) {
                    tool.getCommandSpec().remove(spec);
                }
            }
        }
    }

    private static int run(String name, List<String> args) throws InterruptedException {
        Path tool = NativeDir.locate().resolve("denyfs-" + name);
        if (!Files.isExecutable(tool)) {
            System.err.println("denyfs " + name + ": " + tool + " is missing: 'denyfs " + name + "' is a C program, built by "
                    + "'mvn package' (or 'make -C src/main/c'); 'scripts/denyfs " + name + "' builds and runs it");
            return 1;
        }
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(tool.toString());
        command.addAll(args);
        Process child;
        try {
            child = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            System.err.println("denyfs " + name + ": " + tool + ": " + e.getMessage());
            return 126;
        }
        // a SIGTERM to this JVM reaches the tool, which passes it on to its COMMAND
        Thread stop = new Thread(child::destroy, "denyfs-" + name + "-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int status = child.waitFor();
        Runtime.getRuntime().removeShutdownHook(stop);
        return status;
    }
}

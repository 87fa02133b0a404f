package org.denyfs.cli;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Build time only (pom.xml, the docs profile): denyfs(1) with a page per subcommand, and the bash
 * completion, made from the command tree the program runs ({@link Main#commandTree()}, which holds
 * the commands found outside cli, bench's) rather than from Main's annotations alone.
 *
 * <p>picocli-codegen, which writes the pages, is a dependency of the build's plugin, not of the
 * program (the launcher's quick builds never download it), so its entry point is reached by name.
 */
public final class Docs {
    private static final String MAN_PAGE_GENERATOR = "picocli.codegen.docgen.manpage.ManPageGenerator";

    private Docs() {}

    /** {@code Docs MAN_ADOC_DIR COMPLETION_SCRIPT}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: Docs MAN_ADOC_DIR COMPLETION_SCRIPT");
        }
        CommandLine denyfs = Main.commandTree();
        Path completion = Path.of(args[1]);
        Files.createDirectories(completion.toAbsolutePath().getParent());
        Files.writeString(completion, AutoComplete.bash("denyfs", denyfs));
        Files.createDirectories(Path.of(args[0]));
        Method generate = Class.forName(MAN_PAGE_GENERATOR).getMethod("generateManPage",
                File.class, File.class, boolean[].class, boolean.class, CommandSpec[].class);
        int status;
        try {
            // no templates directory, quiet, overwrite what an earlier build wrote
            status = (Integer) generate.invoke(null, new File(args[0]), null, new boolean[0], true,
                    new CommandSpec[] {denyfs.getCommandSpec()});
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        if (status != 0) {
            throw new IllegalStateException(MAN_PAGE_GENERATOR + " failed with status " + status);
        }
    }
}

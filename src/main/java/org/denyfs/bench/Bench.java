package org.denyfs.bench;

import java.util.concurrent.Callable;
import org.denyfs.bench.herd.HerdCommand;
import org.denyfs.bench.io.IoBenchCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code denyfs bench}: the benchmarks, {@code io} ({@link org.denyfs.bench.io}) and {@code herd}
 * ({@link org.denyfs.bench.herd}), on the machinery they share ({@link org.denyfs.bench.harness}).
 *
 * <p>Nothing imports bench: the cli finds this command through {@link java.util.ServiceLoader}
 * (META-INF/services/java.util.concurrent.Callable) and adds it to its table, so the two stay apart
 * and {@code denyfs bench ...} is one command tree, with one --help, man page and completion.
 */
@Command(name = "bench",
        description = {
            "Benchmarks that print figures, never pass or fail.",
            "",
            "'denyfs bench io' measures denyfs's I/O against the native directory and bindfs; 'denyfs bench herd' "
                    + "replays udev's thundering herd of module loads under each policy. Each has its own --help "
                    + "and man page."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the benchmark ran", "1:it could not run (see its message)", "2:bad usage"},
        footerHeading = "%nExamples:%n",
        footer = {"  denyfs bench io --runs 6", "  denyfs bench herd --workers 16"},
        subcommands = {IoBenchCommand.class, HerdCommand.class})
public final class Bench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** No COMMAND: the usage error picocli gives any command that needs a subcommand. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}

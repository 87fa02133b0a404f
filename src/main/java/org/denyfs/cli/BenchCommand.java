package org.denyfs.cli;

import org.denyfs.bench.HerdCommand;
import org.denyfs.bench.IoBenchCommand;
import picocli.CommandLine.Command;

@Command(name = "bench",
        description = {
            "Benchmarks that print figures, never pass or fail.",
            "",
            "'denyfs bench io' measures denyfs's I/O against the native directory and bindfs; 'denyfs bench herd' "
                    + "replays udev's thundering herd of module loads under each policy. Each has its own --help "
                    + "and man page."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"0:the benchmark ran", "1:it could not run (see its message)", "2:bad usage"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  denyfs bench io --runs 6", "  denyfs bench herd --workers 16"},
        subcommands = {IoBenchCommand.class, HerdCommand.class})
final class BenchCommand {
}

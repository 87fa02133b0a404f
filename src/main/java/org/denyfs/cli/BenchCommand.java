package org.denyfs.cli;

import org.denyfs.bench.HerdCommand;
import org.denyfs.bench.IoBenchCommand;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Benchmarks that print figures, never pass or fail.",
            "",
            "  io     denyfs's I/O against the native directory and bindfs (see 'denyfs bench io --help')",
            "  herd   udev's thundering herd of module loads, per policy (see 'denyfs bench herd --help')"},
        subcommands = {IoBenchCommand.class, HerdCommand.class})
final class BenchCommand {
}

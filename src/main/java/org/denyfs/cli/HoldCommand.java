package org.denyfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.denyfs.control.Client;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "hold",
        description = {
            "Deny writes to FILE while COMMAND runs, in the spirit of flock(1).",
            "",
            "FILE is any file on a denyfs mount; hold finds the mount and its control file itself. The deny "
                    + "is taken on a control handle that this process keeps open until COMMAND exits, so it ends "
                    + "with hold even if hold is killed. While it lasts, opening FILE (or any hard link to it) "
                    + "for write fails with 'Text file busy'.",
            "",
            "The kernel never waits for a deny: without --wait a refused deny fails at once. --wait is a "
                    + "user-space convenience: hold retries, starting at 5 ms between attempts and backing off to "
                    + "100 ms, until the deny is granted or SECONDS have passed (no SECONDS: forever). Retrying "
                    + "is not queueing: a writer that opens FILE between two attempts gets in first."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {
            "COMMAND's status:128+N if a signal N killed it",
            "75:the deny was refused (ETXTBSY; with --wait: not granted in time), with 'denyfs: FILE: Text file "
                    + "busy' on stderr",
            "126:COMMAND cannot run",
            "127:COMMAND is not found",
            "1:other errors (FILE is on no denyfs mount, or not readable)",
            "2:bad usage"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  denyfs hold /mnt/denyfs/lib/x.ko -- sha256sum /mnt/denyfs/lib/x.ko",
            "  denyfs hold --exclusive --wait=10 /mnt/denyfs/db -- ./backup.sh"})
final class HoldCommand implements Callable<Integer> {
    static final int REFUSED = 75;

    @Option(names = {"-x", "--exclusive"}, description = "Take an exclusive deny (xdeny): refused also while anybody else denies.")
    boolean exclusive;

    @Option(names = {"-w", "--wait"}, arity = "0..1", paramLabel = "SECONDS", fallbackValue = "-1",
            converter = Seconds.class, description = "Retry a refused deny for up to SECONDS (no value: forever).")
    Double waitSeconds;

    /** "-w FILE -- cmd" is a likely slip (flock's -w takes a value): say so in one line. */
    static final class Seconds implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            try {
                double s = Double.parseDouble(value);
                if (s >= 0 || s == -1) {
                    return s;
                }
            } catch (NumberFormatException notANumber) {
                // below
            }
            throw new TypeConversionException("'" + value + "' is not a number of seconds (write --wait=SECONDS,"
                    + " or --wait alone to wait forever)");
        }
    }

    @Parameters(index = "0", paramLabel = "FILE", description = "A file on a denyfs mount.")
    Path file;

    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        try (Client control = Client.open(Client.mountOf(file))) {
            String reply = deny(control);
            if (!reply.startsWith("ok")) {
                String[] err = reply.split(" ", 3);
                boolean busy = err.length > 1 && err[1].equals("ETXTBSY");
                System.err.println("denyfs: " + file + ": " + (err.length > 1 ? Errnos.describe(err[1]) : reply));
                return busy ? REFUSED : 1;
            }
            return run();
        } catch (IOException e) {
            System.err.println("denyfs: " + e.getMessage());
            return 1;
        }
    }

    private String deny(Client control) throws IOException, InterruptedException {
        String request = (exclusive ? "xdeny " : "deny ") + control.relative(file);
        long deadline = waitSeconds == null ? System.nanoTime()
                : waitSeconds < 0 ? Long.MAX_VALUE : System.nanoTime() + (long) (waitSeconds * 1e9);
        long pauseMillis = 5;
        while (true) {
            String reply = control.request(request);
            if (!reply.startsWith("err ETXTBSY") || System.nanoTime() - deadline >= 0) {
                return reply;
            }
            TimeUnit.MILLISECONDS.sleep(pauseMillis); // the retry interval of --wait, documented above
            pauseMillis = Math.min(100, pauseMillis * 2);
        }
    }

    private int run() throws InterruptedException {
        Process child;
        try {
            child = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            boolean missing = e.getMessage() != null && e.getMessage().contains("error=2,");
            System.err.println("denyfs: " + command.get(0) + ": " + (missing ? "command not found" : e.getMessage()));
            return missing ? 127 : 126;
        }
        Thread stop = new Thread(child::destroy, "denyfs-hold-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int status = child.waitFor();
        Runtime.getRuntime().removeShutdownHook(stop);
        return status;
    }
}

package org.denyfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.denyfs.control.Abi;
import org.denyfs.control.Client;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ctl",
        description = {
            "Send one request to the control file of the denyfs mount that holds FILE and print the reply.",
            "",
            "A deny lasts only as long as the control handle, that is until this command exits, so 'ctl deny' "
                    + "alone only tests whether a deny would be granted; to keep a deny while something runs, use "
                    + "'denyfs hold'.",
            "",
            "Output: the reply line, 'ok VALUE' or 'err ERRNO message'; for holders, a table of KIND (write, "
                    + "deny, xdeny, exec, module), PID, UID, SINCE and the holder's COMMAND."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {
            "0:the reply was ok",
            "1:the reply was err (and 'denyfs: FILE: message' on stderr), or FILE is on no denyfs mount",
            "2:bad usage, an unknown VERB included"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  denyfs ctl query /mnt/denyfs/prog", "  denyfs ctl holders /mnt/denyfs/prog",
            "  denyfs ctl status /mnt/denyfs"})
final class CtlCommand implements Callable<Integer> {
    static final List<String> VERBS = List.of(Abi.VERB_QUERY, Abi.VERB_DENY, Abi.VERB_XDENY, Abi.VERB_ALLOW,
            Abi.VERB_HOLDERS, Abi.VERB_STATUS);

    @Parameters(index = "0", paramLabel = "VERB", completionCandidates = Verbs.class,
            description = "query, deny, xdeny, allow, holders or status.")
    String verb;

    @Parameters(index = "1", paramLabel = "FILE", description = "A file on a denyfs mount (for status: the mount).")
    Path file;

    @Spec
    CommandSpec spec;

    static final class Verbs extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Verbs() {
            super(VERBS);
        }
    }

    @Override
    public Integer call() {
        if (!VERBS.contains(verb)) {
            throw new ParameterException(spec.commandLine(), "unknown VERB '" + verb + "' (expected one of "
                    + String.join(", ", VERBS) + ")");
        }
        try (Client c = Client.open(Client.mountOf(file))) {
            String reply = c.request(verb.equals("status") ? "status" : verb + " " + c.relative(file));
            if (reply.startsWith("ok")) {
                System.out.println(verb.equals("holders") ? HoldersTable.format(reply.substring(3)) : reply);
                return 0;
            }
            System.out.println(reply);
            String[] parts = reply.split(" ", 3);
            System.err.println("denyfs: " + file + ": " + (parts.length > 1 ? Errnos.describe(parts[1]) : reply));
            return 1;
        } catch (IOException e) {
            System.err.println("denyfs: " + e.getMessage());
            return 1;
        }
    }
}

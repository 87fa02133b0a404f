package org.denyfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.denyfs.control.Client;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = {
            "Send one request to the control file of the denyfs mount that holds FILE and print the reply.",
            "",
            "VERB is query, deny, xdeny, allow, holders or status. A deny lasts only as long as the control "
                    + "handle, that is until this command exits, so 'ctl deny' alone only tests whether a deny would "
                    + "be granted; to keep a deny while something runs, use 'denyfs hold'.",
            "",
            "Output: the reply line, 'ok VALUE' or 'err ERRNO message'; for holders, a table of KIND (write, "
                    + "deny, xdeny, exec, module), PID, UID, SINCE and the holder's COMMAND.",
            "Exit status: 0 for ok; 1 for err (and 'denyfs: FILE: message' on stderr); 2 bad usage."})
final class CtlCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "VERB")
    String verb;

    @Parameters(index = "1", paramLabel = "FILE", description = "A file on a denyfs mount (for status: the mount).")
    Path file;

    @Override
    public Integer call() {
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

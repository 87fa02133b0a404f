package org.denyfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.denyfs.abi.MountTable;
import org.denyfs.kernel.Unmounter;
import org.denyfs.user.client.Client;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "umount",
        description = {
            "Unmount a denyfs mount and wait for its daemon to exit.",
            "",
            "Works on a live mount and on one whose daemon died ('Transport endpoint is not connected'). Open "
                    + "files keep the mount busy, as for any file system: the command then fails with "
                    + "fusermount's message and the mount stays (send the daemon SIGTERM to detach it lazily "
                    + "instead; see denyfs-mount(1)). umount(8) works too."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {
            "0:unmounted, and the daemon has exited",
            "1:MOUNTPOINT is missing, not a denyfs mount, or busy; or the daemon did not exit",
            "2:bad usage"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  denyfs umount /mnt/denyfs"})
final class UmountCommand implements Callable<Integer> {
    private static final long DAEMON_EXIT_SECONDS = 30;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "Where the denyfs mount is.")
    Path mountPoint;

    @Override
    public Integer call() throws IOException {
        Path mp = mountPoint.toAbsolutePath().normalize();
        Optional<MountTable.Entry> entry = MountTable.mountedAt(mp);
        if (entry.isEmpty() || !entry.get().fsType().equals(MountTable.FSTYPE)) {
            System.err.println("denyfs umount: " + mp + ": " + (entry.isPresent()
                    ? "not a denyfs mount (" + entry.get().fsType() + " of " + entry.get().source() + ")"
                    : Files.exists(mp, LinkOption.NOFOLLOW_LINKS) ? "not mounted" : "No such file or directory"));
            return 1;
        }
        Optional<ProcessHandle> daemon = daemonOf(mp);
        Unmounter.Result r = Unmounter.unmount(mp);
        if (r.status() != 0) {
            System.err.println("denyfs umount: " + mp + ": " + (r.busy()
                    ? "Device or resource busy (files on it are open: 'fuser -vm " + mp + "' names the processes)"
                    : r.output()));
            return 1;
        }
        if (daemon.isPresent()) {
            try {
                daemon.get().onExit().get(DAEMON_EXIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("denyfs umount: " + mp + ": unmounted, but daemon " + daemon.get().pid()
                        + " has not exited after " + DAEMON_EXIT_SECONDS + " s");
                return 1;
            }
        }
        return 0;
    }

    /** Asks a live daemon for its pid; a dead one has nothing left to wait for. */
    private static Optional<ProcessHandle> daemonOf(Path mp) {
        try (Client c = Client.open(mp)) {
            String reply = c.request("status");
            for (String field : reply.split(" ")) {
                if (field.startsWith("pid=")) {
                    return ProcessHandle.of(Long.parseLong(field.substring(4)));
                }
            }
        } catch (IOException | RuntimeException deadOrForeign) {
            // nothing to wait for
        }
        return Optional.empty();
    }
}

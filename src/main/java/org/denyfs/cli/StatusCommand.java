package org.denyfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.denyfs.abi.MountTable;
import org.denyfs.user.client.MountStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "status",
        description = {
            "Show every denyfs mount, or the one at MOUNTPOINT: its backing directory, daemon, policy, "
                    + "counts, modules and bytes in flight.",
            "",
            "Read from /proc/mounts and from each daemon: the control file's status and policy replies and the "
                    + "module views. A mount whose daemon died is listed with the reason ('denyfs umount' "
                    + "recovers it). Passthrough (FUSE's own, for open files) is shown as 'off': the kernel "
                    + "interface denyfs uses has none yet."},
        exitCodeListHeading = HelpLayout.EXIT_STATUS,
        exitCodeList = {"0:every mount shown answered (or there is none)",
            "1:MOUNTPOINT is no denyfs mount, or a daemon did not answer", "2:bad usage"},
        footerHeading = HelpLayout.EXAMPLES,
        footer = {"  denyfs status", "  denyfs status /mnt/denyfs"})
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MOUNTPOINT", description = "One denyfs mount.")
    Path mountPoint;

    @Override
    public Integer call() throws IOException {
        List<MountTable.Entry> mounts = MountStatus.mounts();
        if (mountPoint != null) {
            Path mp = mountPoint.toAbsolutePath().normalize();
            mounts = mounts.stream().filter(e -> e.mountPoint().equals(mp)).toList();
            if (mounts.isEmpty()) {
                System.err.println("denyfs status: " + mp + ": not a denyfs mount");
                return 1;
            }
        }
        if (mounts.isEmpty()) {
            System.out.println("no denyfs mounts");
            return 0;
        }
        int status = 0;
        for (MountTable.Entry m : mounts) {
            MountStatus s = MountStatus.of(m);
            System.out.print(format(s));
            status = s.failure().isPresent() ? 1 : status;
        }
        return status;
    }

    static String format(MountStatus s) {
        StringBuilder b = new StringBuilder();
        b.append(s.mountPoint()).append(": denyfs of ").append(s.source()).append('\n');
        if (s.failure().isPresent()) {
            return b.append("  daemon       not answering: ").append(s.failure().get())
                    .append(" ('denyfs umount ").append(s.mountPoint()).append("' recovers it)\n").toString();
        }
        var d = s.daemon();
        row(b, "daemon", "pid " + d.getOrDefault("pid", "?") + ", " + d.getOrDefault("fuse_threads_started", "?")
                + " FUSE threads started, " + d.getOrDefault("requests", "?") + " control requests");
        row(b, "policy", s.policy());
        // this query's own control handle is one of the daemon's handles and sessions: not counted here
        row(b, "inodes", d.getOrDefault("inodes", "?") + " with a count, " + minusOne(d.get("handles"))
                + " open handles, " + minusOne(d.get("sessions")) + " control handles holding "
                + d.getOrDefault("control_denies", "?") + " denies");
        row(b, "modules", s.modulesLoaded() + " loaded, " + String.format(Locale.ROOT, "%,d", s.bytesInFlight())
                + " bytes in flight (peak " + String.format(Locale.ROOT, "%,d", s.peakBytesInFlight()) + ")");
        row(b, "reply filter", d.getOrDefault("reply_filter", "?"));
        row(b, "passthrough", passthrough(d));
        row(b, "data", d.getOrDefault("reads", "?") + " READ and " + d.getOrDefault("writes", "?")
                + " WRITE requests served by the daemon, " + d.getOrDefault("xattr_reads", "?") + " GETXATTR; set-id bits"
                + " cleared by " + ("v2".equals(d.get("killpriv")) ? "the daemon (KILLPRIV_V2)" : "the kernel"));
        row(b, "deniers", "exclusive_read " + d.getOrDefault("exclusive_read", "?") + " ("
                + d.getOrDefault("exclusive_reads", "?") + " taken, " + d.getOrDefault("exclusive_read_refused", "?")
                + " refused); verity " + d.getOrDefault("verity_enabled", "?") + " enabled, "
                + d.getOrDefault("verity_building", "?") + " building, " + d.getOrDefault("verity_refused", "?")
                + " refused; firmware " + d.getOrDefault("firmware_requests", "?") + " requests ("
                + d.getOrDefault("firmware_loaded", "?") + " loaded, " + d.getOrDefault("firmware_busy", "?") + " busy, "
                + d.getOrDefault("firmware_failed", "?") + " failed)");
        return b.toString();
    }

    /** "on, N opens passed through, M backing ids held (P parked), W closed writers kept for a mapping", or "off (why)". */
    private static String passthrough(java.util.Map<String, String> d) {
        String state = d.getOrDefault("passthrough", "?");
        if (state.equals("on")) {
            return "on, " + d.getOrDefault("passthrough_opens", "?") + " opens passed through, "
                    + d.getOrDefault("backing_ids", "?") + " backing ids held (" + d.getOrDefault("backing_ids_parked", "?")
                    + " parked), " + d.getOrDefault("mapped_writers", "?") + " closed writers kept for a shared mapping";
        }
        return d.containsKey("passthrough_off") ? state + " (" + d.get("passthrough_off").replace('_', ' ') + ")" : state;
    }

    private static String minusOne(String n) {
        try {
            return Integer.toString(Integer.parseInt(n) - 1);
        } catch (NumberFormatException e) {
            return "?";
        }
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "  %-12s %s%n", name, value));
    }
}

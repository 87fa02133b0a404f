package org.denyfs.user.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.denyfs.abi.Abi;
import org.denyfs.abi.MountTable;

/**
 * What one denyfs mount is doing, from the kernel's mount table and the daemon's own answers: the
 * control file's {@code status} and {@code policy} replies, and the module views. A daemon that
 * does not answer (it died: ENOTCONN) gives a status with only the mount table's part.
 */
public record MountStatus(Path mountPoint, String source, Optional<String> failure, Map<String, String> daemon,
        String policy, int modulesLoaded, long bytesInFlight, long peakBytesInFlight) {

    /** Every denyfs mount in /proc/mounts, in its order. */
    public static List<MountTable.Entry> mounts() throws IOException {
        return MountTable.read().stream().filter(e -> e.fsType().equals(MountTable.FSTYPE)).toList();
    }

    public static MountStatus of(MountTable.Entry mount) {
        Path mp = mount.mountPoint();
        try (Client c = Client.open(mp)) {
            Map<String, String> fields = fields(ok(c.request(Abi.VERB_STATUS)));
            String policy = ok(c.request(Abi.VERB_POLICY));
            List<String> modules = Files.readAllLines(mp.resolve(Abi.PROC_MODULES));
            Map<String, String> stats = stats(mp.resolve(Abi.STATS));
            return new MountStatus(mp, mount.source(), Optional.empty(), fields, policy,
                    (int) modules.stream().filter(l -> !l.isBlank()).count(),
                    number(stats.get("Bytes in flight now")), number(stats.get("Peak bytes in flight")));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new MountStatus(mp, mount.source(), Optional.of(why), Map.of(), "", 0, 0, 0);
        }
    }

    private static String ok(String reply) throws IOException {
        if (!reply.startsWith("ok")) {
            throw new IOException("the daemon answered '" + reply + "'");
        }
        return reply.length() > 3 ? reply.substring(3) : "";
    }

    /** The fields of a status reply's value, "pid=4711 inodes=3 ...", in reply order. */
    public static Map<String, String> fields(String reply) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : reply.trim().split(" +")) {
            int eq = f.indexOf('=');
            if (eq > 0) {
                m.put(f.substring(0, eq), f.substring(eq + 1));
            }
        }
        return m;
    }

    /** The kernel's modules/stats text: "    Bytes in flight now\t42" per line. */
    private static Map<String, String> stats(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int tab = line.lastIndexOf('\t');
            if (tab > 0) {
                m.put(line.substring(0, tab).trim(), line.substring(tab + 1).trim());
            }
        }
        return m;
    }

    private static long number(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

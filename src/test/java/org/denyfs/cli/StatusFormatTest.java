package org.denyfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.denyfs.user.client.MountStatus;
import org.junit.jupiter.api.Test;

/** What 'denyfs status' prints for a person, from the daemon's status reply. */
class StatusFormatTest {

    @Test
    void format_deniers_namesTheExclusiveReadGlobsAndCountsVerityAndFirmware() {
        Map<String, String> daemon = Map.ofEntries(Map.entry("pid", "42"), Map.entry("reply_filter", "on"),
                Map.entry("exclusive_read", "*.ko"), Map.entry("exclusive_reads", "3"),
                Map.entry("exclusive_read_refused", "1"), Map.entry("verity_enabled", "2"),
                Map.entry("verity_building", "0"), Map.entry("verity_refused", "4"),
                Map.entry("firmware_requests", "5"), Map.entry("firmware_loaded", "4"),
                Map.entry("firmware_busy", "1"), Map.entry("firmware_failed", "0"));
        String text = StatusCommand.format(new MountStatus(Path.of("/m"), "/b", Optional.empty(), daemon,
                "idempotent", 0, 0, 0));

        assertThat(text).contains("deniers      exclusive_read *.ko (3 taken, 1 refused); verity 2 enabled, "
                + "0 building, 4 refused; firmware 5 requests (4 loaded, 1 busy, 0 failed)");
    }
}

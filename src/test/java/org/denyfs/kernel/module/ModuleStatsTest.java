package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** debugfs modules/stats, against text written out by hand from the printf formats of stats.c. */
class ModuleStatsTest {
    private final ModuleStats stats = new ModuleStats();

    @Test
    void readFileModStats_nothingHappened_printsZeroCountersAndNoAverages() {
        assertThat(stats.text()).isEqualTo(""
                + "         Mods ever loaded\t0\n"
                + "     Mods failed on kread\t0\n"
                + "Mods failed on decompress\t0\n"
                + "  Mods failed on becoming\t0\n"
                + "      Mods failed on load\t0\n"
                + "        Total module size\t0\n"
                + "      Total mod text size\t0\n"
                + "       Failed kread bytes\t0\n"
                + "  Failed decompress bytes\t0\n"
                + "    Failed becoming bytes\t0\n"
                + "        Failed kmod bytes\t0\n"
                + " Virtual mem wasted bytes\t0\n");
    }

    @Test
    void readFileModStats_loadsAndFailures_printsAveragesRoundedUpAndDuplicatesNewestFirst() {
        stats.loaded(16384, 4096);
        stats.loaded(20481, 8192);
        stats.kreadFailed(0); // a count without bytes: no "Avg fail kread bytes"
        stats.becomingFailed(474688, 0);
        stats.becomingFailed(1001, 0);
        stats.loadFailed(100, 7);
        stats.decompressFailed(3);
        stats.dups.record("cryptd", DupFailures.Reason.BECOMING);
        stats.dups.record("crc32c_intel", DupFailures.Reason.LOAD);
        stats.dups.record("cryptd", DupFailures.Reason.BECOMING);
        stats.dups.record("crc32c_intel", DupFailures.Reason.BECOMING);

        assertThat(stats.text()).isEqualTo(""
                + "         Mods ever loaded\t2\n"
                + "     Mods failed on kread\t1\n"
                + "Mods failed on decompress\t1\n"
                + "  Mods failed on becoming\t2\n"
                + "      Mods failed on load\t1\n"
                + "        Total module size\t36865\n"
                + "      Total mod text size\t12288\n"
                + "       Failed kread bytes\t0\n"
                + "  Failed decompress bytes\t3\n"
                + "    Failed becoming bytes\t475689\n"
                + "        Failed kmod bytes\t207\n"
                + " Virtual mem wasted bytes\t475899\n"
                + "         Average mod size\t18433\n"
                + "    Average mod text size\t6144\n"
                + "  Avg fail becoming bytes\t237845\n"
                + "    Avg fail decomp bytes\t3\n"
                + "  Average fail load bytes\t207\n"
                + "Duplicate failed modules:\n"
                + "              Module-name\t How-many-times\t                   Reason\n"
                + "             crc32c_intel\t              2\t          Becoming & Load\n"
                + "                   cryptd\t              2\t                 Becoming\n");
    }

    @Test
    void readFileModStats_manyDuplicates_printsAtMost111RowsWithinTheKernelsBuffer() {
        for (int i = 0; i < 200; i++) {
            stats.becomingFailed(1, 0);
            stats.dups.record("m" + i, DupFailures.Reason.BECOMING);
        }
        String text = stats.text();

        String rows = text.substring(text.indexOf("Reason\n") + "Reason\n".length());
        assertThat(rows.split("\n")).hasSize(111);
        assertThat(rows).startsWith(String.format("%25s\t%15d\t%25s\n", "m199", 1, "Becoming"));
        assertThat(rows).endsWith(String.format("%25s\t%15d\t%25s\n", "m89", 1, "Becoming"));
        assertThat(text.length()).isLessThan(1024 + 112 * 64); // within the kernel's buffer, so not cut
    }

    @Test
    void readFileModStats_fewRows_fitsUntruncated() {
        stats.loadFailed(10, 0);
        stats.dups.record("fx_base", DupFailures.Reason.LOAD);
        assertThat(stats.text()).endsWith(String.format("%25s\t%15d\t%25s\n", "fx_base", 1, "Load"));
    }
}

package org.denyfs.kernel.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which FUSE paths {@code -o exclusive_read} names: the whole path below the mount, JDK glob syntax. */
class ExclusiveReadsTest {
    @Test
    void matches_starStaysInOneDirectory_doubleStarCrossesThem() {
        ExclusiveReads r = ExclusiveReads.parse("*.ko:lib/**.bin");
        assertThat(r.matches("/x.ko")).isTrue();
        assertThat(r.matches("/dir/x.ko")).isFalse();
        assertThat(r.matches("/lib/firmware/a/b.bin")).isTrue();
        assertThat(r.matches("/lib/b.bin")).isTrue();
        assertThat(r.matches("/other/b.bin")).isFalse();
        assertThat(r.matches("/")).isFalse();
    }

    @Test
    void matches_withoutGlobs_isNeverTrue() {
        assertThat(ExclusiveReads.NONE.any()).isFalse();
        assertThat(ExclusiveReads.NONE.matches("/x.ko")).isFalse();
    }
}

package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MountTest {
    /** glibc's makedev(major, minor), sys/sysmacros.h. */
    private static long makedev(long major, long minor) {
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }

    @Test
    void kernelDev_ofAnAnonymousFuseDevice_isTheMinorThatNamesTheFusectlDirectory() {
        assertThat(Mount.kernelDev(makedev(0, 52))).isEqualTo(52);
        assertThat(Mount.kernelDev(makedev(0, 300))).isEqualTo(300);
        assertThat(Mount.kernelDev(makedev(0, 1 << 19))).isEqualTo(1 << 19);
    }

    @Test
    void kernelDev_withAMajor_putsItAboveTwentyBitsOfMinor() {
        assertThat(Mount.kernelDev(makedev(8, 1))).isEqualTo((8L << 20) | 1);
        assertThat(Mount.kernelDev(makedev(259, 70000))).isEqualTo((259L << 20) | 70000);
    }
}

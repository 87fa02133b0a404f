package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.denyfs.kernel.module.TestKernel.errnoOf;

import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.testing.Compressed;
import org.denyfs.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The emulated kernel's memory budget: every module buffer (an init_module copy, a finit_module read,
 * a decompression) is checked against {@link MemoryLimits} before anything is allocated, charged to
 * its caller's uid, and given back when it is freed.
 */
class MemoryLimitsTest {
    private static final int KIB = 1024;
    private final TestKernel k = new TestKernel();

    @AfterEach
    void tearDown() {
        k.close();
    }

    private Modules kernel(long maxImage, long maxInFlight, long perUid) {
        return k.builder().memoryLimits(new MemoryLimits(maxImage, maxInFlight, perUid)).build();
    }

    private static ErrnoException refusal(Runnable call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void beginInit_overTheImageLimit_failsEnomem_andAllocatesNothing() {
        Modules m = kernel(64 * KIB, 1 << 30, 1 << 30);
        ErrnoException e = refusal(() -> m.beginInit(0, 1L << 30));
        assertThat(e.errno()).isEqualTo(Errno.ENOMEM);
        assertThat(e.getMessage()).isEqualTo("init_module: vmalloc of 1073741824 bytes: over max_module_bytes=65536");
        assertThat(m.bytesInFlight()).isZero();
        assertThat(m.peakBytesInFlight()).isZero();
        assertThat(m.callsTable()).contains("init_module\t-\tENOMEM\t1");
    }

    @Test
    void beginInit_overItsUidsLimit_failsEnomem_whileAnotherUidStillGetsMemory() {
        Modules m = kernel(64 * KIB, 1 << 20, 100 * KIB);
        try (Modules.ImageCopy first = m.beginInit(1000, 60 * KIB)) {
            assertThat(first.missing()).isEqualTo(60 * KIB);
            ErrnoException e = refusal(() -> m.beginInit(1000, 60 * KIB));
            assertThat(e.errno()).isEqualTo(Errno.ENOMEM);
            assertThat(e.getMessage()).contains("uid 1000 has 61440 bytes", "max_inflight_bytes_per_uid=102400");
            try (Modules.ImageCopy other = m.beginInit(0, 60 * KIB)) {
                assertThat(other.missing()).isEqualTo(60 * KIB);
                assertThat(m.bytesInFlight()).isEqualTo(120 * KIB);
                assertThat(m.bytesInFlight(1000)).isEqualTo(60 * KIB);
                assertThat(m.bytesInFlight(0)).isEqualTo(60 * KIB);
            }
        }
        assertThat(m.bytesInFlight()).isZero();
        assertThat(m.bytesInFlight(1000)).isZero();
    }

    @Test
    void beginInit_overTheTotalLimit_failsEnomem() {
        Modules m = kernel(64 * KIB, 100 * KIB, 1 << 20);
        try (Modules.ImageCopy first = m.beginInit(0, 60 * KIB)) {
            assertThat(first.complete()).isFalse();
            ErrnoException e = refusal(() -> m.beginInit(1, 60 * KIB));
            assertThat(e.errno()).isEqualTo(Errno.ENOMEM);
            assertThat(e.getMessage()).contains("61440 bytes of module images in flight, max_inflight_bytes=102400");
        }
    }

    @Test
    void imageCopy_droppedBeforeItIsComplete_givesItsBytesBack_andCountsAFailedCopy() {
        Modules m = kernel(64 * KIB, 1 << 20, 1 << 20);
        Modules.ImageCopy copy = m.beginInit(0, 10 * KIB);
        assertThat(copy.put(new byte[1000], 0)).isEqualTo(1000);
        assertThat(copy.missing()).isEqualTo(10 * KIB - 1000);
        assertThat(m.bytesInFlight()).isEqualTo(10 * KIB);
        copy.close();
        copy.close(); // idempotent
        assertThat(m.bytesInFlight()).isZero();
        assertThat(m.callsTable()).contains("init_module\t-\tEFAULT\t1");
    }

    @Test
    void initModule_ofACompleteCopy_loadsAndFreesIt() {
        Modules m = kernel(256 * KIB, 1 << 20, 1 << 20);
        byte[] image = Fixtures.base();
        Modules.ImageCopy copy = m.beginInit(0, image.length);
        assertThat(copy.put(image, 0)).isEqualTo(image.length);
        m.initModule(copy, "");
        assertThat(m.procModules()).startsWith("fx_base ");
        assertThat(m.bytesInFlight()).isZero();
        assertThat(m.peakBytesInFlight()).isEqualTo(image.length);
    }

    @Test
    void finitModule_ofAFileOverTheImageLimit_failsEfbig_beforeReading() {
        FakeInode big = new FakeInode(Fixtures.base());
        Modules m = kernel(big.data.length - 1, 1 << 20, 1 << 20);
        assertThat(errnoOf(() -> m.finitModule(big.open(), "", 0))).isEqualTo(Errno.EFBIG);
        assertThat(big.reads.get()).isZero();
        assertThat(m.peakBytesInFlight()).isZero();
    }

    @Test
    void finitModule_whileUploadsHoldTheBudget_failsEnomem_theReadCountsAgainstTheSameTotal() {
        FakeInode file = new FakeInode(Fixtures.base());
        Modules m = kernel(256 * KIB, 2L * file.data.length, 1 << 20);
        try (Modules.ImageCopy held = m.beginInit(0, file.data.length + 1)) {
            assertThat(held.complete()).isFalse();
            assertThat(errnoOf(() -> m.finitModule(file.open(), "", 0))).isEqualTo(Errno.ENOMEM);
        }
        assertThat(errnoOf(() -> m.finitModule(file.open(), "", 0))).isNull();
        assertThat(m.bytesInFlight()).isZero();
    }

    @Test
    void finitModule_compressed_whoseImageWouldPassTheLimit_failsEnomem_andFreesEverything() {
        byte[] zeros = new byte[512 * KIB]; // 512 KiB of zeros compress to a few hundred bytes
        FakeInode bomb = new FakeInode(Compressed.xz(zeros));
        Modules m = kernel(128 * KIB, 1 << 20, 1 << 20);
        assertThat(errnoOf(() -> m.finitModule(bomb.open(), "", Modules.MODULE_INIT_COMPRESSED_FILE)))
                .isEqualTo(Errno.ENOMEM);
        assertThat(m.bytesInFlight()).isZero();
        // while a buffer grows, the old and the new one are both held: never more than two of them
        assertThat(m.peakBytesInFlight()).isLessThanOrEqualTo(2 * 128 * KIB + bomb.data.length);
    }

    @Test
    void memoryLimits_mustBePositive_andAnImageFitInAnInt() {
        assertThatThrownBy(() -> new MemoryLimits(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryLimits(1L << 31, 1L << 32, 1L << 32)).isInstanceOf(IllegalArgumentException.class);
        assertThat(MemoryLimits.DEFAULTS).isEqualTo(new MemoryLimits(256L << 20, 1L << 30, 768L << 20));
    }
}

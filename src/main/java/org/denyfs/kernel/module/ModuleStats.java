package org.denyfs.kernel.module;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * kernel/module/stats.c: the counters behind debugfs {@code modules/stats} and their text. Counters
 * are atomics, as in the kernel, and only ever grow (the v6.4 bug that added a negative errno to
 * invalid_kread_bytes is not reproduced; f1962207150c removed it in v6.5).
 */
final class ModuleStats {
    /** read_file_mod_stats() sizes its buffer as MAX_PREAMBLE + min(fails, MAX_FAILED_MOD_PRINT) * 64. */
    private static final int MAX_PREAMBLE = 1024;
    private static final int MAX_FAILED_MOD_PRINT = 112;
    private static final int MAX_BYTES_PER_MOD = 64;

    private final AtomicInteger modcount = new AtomicInteger();
    private final AtomicInteger failedKreads = new AtomicInteger();
    private final AtomicInteger failedDecompress = new AtomicInteger();
    private final AtomicInteger failedBecoming = new AtomicInteger();
    private final AtomicInteger failedLoadModules = new AtomicInteger();
    private final AtomicLong totalModSize = new AtomicLong();
    private final AtomicLong totalTextSize = new AtomicLong();
    private final AtomicLong invalidKreadBytes = new AtomicLong();
    private final AtomicLong invalidDecompressBytes = new AtomicLong();
    private final AtomicLong invalidBecomingBytes = new AtomicLong();
    private final AtomicLong invalidModBytes = new AtomicLong();
    final DupFailures dups = new DupFailures();

    /** A failed kernel_read_file() (no bytes: the errno is not a size) or init_module() copy ({@code len}). */
    void kreadFailed(long bytes) {
        failedKreads.incrementAndGet();
        invalidKreadBytes.addAndGet(bytes);
    }

    /** finit_module() with MODULE_INIT_COMPRESSED_FILE whose data would not decompress. */
    void decompressFailed(long compressedLen) {
        failedDecompress.incrementAndGet();
        invalidDecompressBytes.addAndGet(compressedLen);
    }

    /** mod_stat_bump_becoming(): a failure before layout_and_allocate(). */
    void becomingFailed(long len, long compressedLen) {
        failedBecoming.incrementAndGet();
        invalidBecomingBytes.addAndGet(len + compressedLen);
    }

    /** mod_stat_bump_invalid(): a failure after layout_and_allocate(); the copy and the layout were both wasted. */
    void loadFailed(long len, long compressedLen) {
        failedLoadModules.incrementAndGet();
        invalidModBytes.addAndGet(2 * len + compressedLen);
    }

    /** do_init_module() succeeded. */
    void loaded(long totalSize, long textSize) {
        totalModSize.addAndGet(totalSize);
        totalTextSize.addAndGet(textSize);
        modcount.incrementAndGet();
    }

    /** "Virtual mem wasted bytes". */
    long wastedBytes() {
        return invalidKreadBytes.get() + invalidDecompressBytes.get() + invalidBecomingBytes.get() + invalidModBytes.get();
    }

    /** read_file_mod_stats(), including its fixed-size buffer: scnprintf() cuts the text at size - 1. */
    String text() {
        int live = modcount.get();
        int fkreads = failedKreads.get();
        int fdecompress = failedDecompress.get();
        int fbecoming = failedBecoming.get();
        int floads = failedLoadModules.get();
        long total = totalModSize.get();
        long text = totalTextSize.get();
        long ikread = invalidKreadBytes.get();
        long idecompress = invalidDecompressBytes.get();
        long ibecoming = invalidBecomingBytes.get();
        long imod = invalidModBytes.get();
        long lost = ikread + idecompress + ibecoming + imod;
        long size = MAX_PREAMBLE + Math.min(Integer.toUnsignedLong(floads + fbecoming), MAX_FAILED_MOD_PRINT) * MAX_BYTES_PER_MOD;

        StringBuilder sb = new StringBuilder();
        u(sb, "Mods ever loaded", live);
        u(sb, "Mods failed on kread", fkreads);
        u(sb, "Mods failed on decompress", fdecompress);
        u(sb, "Mods failed on becoming", fbecoming);
        u(sb, "Mods failed on load", floads);
        lu(sb, "Total module size", total);
        lu(sb, "Total mod text size", text);
        lu(sb, "Failed kread bytes", ikread);
        lu(sb, "Failed decompress bytes", idecompress);
        lu(sb, "Failed becoming bytes", ibecoming);
        lu(sb, "Failed kmod bytes", imod);
        lu(sb, "Virtual mem wasted bytes", lost);
        average(sb, "Average mod size", total, live);
        average(sb, "Average mod text size", text, live);
        average(sb, "Avg fail kread bytes", ikread, fkreads);
        average(sb, "Avg fail becoming bytes", ibecoming, fbecoming);
        average(sb, "Avg fail decomp bytes", idecompress, fdecompress);
        average(sb, "Average fail load bytes", imod, floads);
        if (!dups.isEmpty()) {
            sb.append("Duplicate failed modules:\n");
            sb.append(String.format("%25s\t%15s\t%25s\n", "Module-name", "How-many-times", "Reason"));
            for (DupFailures.Row r : dups.rows(MAX_FAILED_MOD_PRINT - 1)) {
                sb.append(String.format("%25s\t%15s\t%25s\n", r.name(), Long.toUnsignedString(r.count()), r.reason()));
            }
        }
        return sb.length() < size ? sb.toString() : sb.substring(0, (int) size - 1);
    }

    private static void u(StringBuilder sb, String label, int value) {
        sb.append(String.format("%25s\t%s\n", label, Integer.toUnsignedString(value)));
    }

    private static void lu(StringBuilder sb, String label, long value) {
        sb.append(String.format("%25s\t%s\n", label, Long.toUnsignedString(value)));
    }

    /** DIV_ROUND_UP(bytes, count), printed only when both are non-zero. */
    private static void average(StringBuilder sb, String label, long bytes, int count) {
        long n = Integer.toUnsignedLong(count);
        if (n != 0 && bytes != 0) {
            lu(sb, label, (bytes + n - 1) / n);
        }
    }
}

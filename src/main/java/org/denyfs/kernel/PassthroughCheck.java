package org.denyfs.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.passthrough.BackingIds;

/**
 * What can be known before mounting about kernel passthrough: the option, the reply filter, the
 * daemon's CAP_SYS_ADMIN (FUSE_DEV_IOC_BACKING_OPEN requires it), and the max_stack_depth BACKING's
 * file system needs. The kernel's own answer comes with INIT ({@link BackingIds#on}).
 */
final class PassthroughCheck {
    private static final int CAP_SYS_ADMIN = 21;
    /**
     * File systems that stack on others (their s_stack_depth is at least 1): a backing file on one
     * needs max_stack_depth 2, or the kernel refuses its id with ELOOP. The mount itself then counts as
     * depth 2, so an overlayfs cannot be stacked on it.
     */
    private static final Set<String> STACKED = Set.of("overlay", "ecryptfs");

    private PassthroughCheck() {}

    /** Why passthrough is off before INIT is even asked, or null when INIT is to tell. */
    static BackingIds.Off before(MountOptions options, ReplyFilter filter) {
        if (options.passthrough() == MountOptions.PassthroughMode.OFF) {
            return BackingIds.Off.OPTION;
        }
        if (!filter.active()) {
            return BackingIds.Off.NO_FILTER;
        }
        return hasCapability(CAP_SYS_ADMIN) ? null : BackingIds.Off.NO_CAPABILITY;
    }

    /** max_stack_depth for a backing directory on this file system: 1, or 2 on a stacked one. */
    static int stackDepth(Path backing) {
        try {
            return STACKED.contains(Files.getFileStore(backing).type().toLowerCase(Locale.ROOT)) ? 2 : 1;
        } catch (IOException e) {
            return 1;
        }
    }

    /** The capability in this process's effective set (CapEff in /proc/self/status). */
    static boolean hasCapability(int cap) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << cap)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}

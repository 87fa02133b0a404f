package org.denyfs.kernel.control;

import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/** The control file's {@code firmware PATH}: request_firmware's read of PATH, for a caller. */
@FunctionalInterface
interface FirmwareCalls {
    /** A control file without firmware (tests of the protocol). */
    FirmwareCalls NONE = (caller, path) -> {
        throw new ErrnoException(Errno.EOPNOTSUPP, "firmware requests are not served here");
    };

    /** @return the bytes read */
    long request(Caller caller, String path);
}

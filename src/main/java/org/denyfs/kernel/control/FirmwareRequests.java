package org.denyfs.kernel.control;

import org.denyfs.core.Caller;
import org.denyfs.kernel.passthrough.Firmware;

/**
 * {@code firmware PATH} on the passthrough's {@link Firmware}: PATH resolved once beneath the backing
 * root into the descriptor that is read (see ControlPaths), for a caller who may read it (a firmware
 * request denies writes, and a caller may deny what it may read: {@link Permissions}).
 */
final class FirmwareRequests implements FirmwareCalls {
    private final ControlPaths paths;
    private final Firmware firmware;

    FirmwareRequests(ControlPaths paths, Firmware firmware) {
        this.paths = paths;
        this.firmware = firmware;
    }

    @Override
    public long request(Caller caller, String path) {
        try (Target file = paths.openForReading(path)) {
            Permissions.requireRead(caller, file, path);
            return firmware.request(caller, file.fd(), file.key());
        }
    }
}

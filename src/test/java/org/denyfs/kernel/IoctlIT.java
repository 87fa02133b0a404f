package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ioctl interface from C (native-test/src/ioctltest.c through libdenyfs) on a real mount. */
class IoctlIT {
    @Test
    void ioctls_fromC_denyQueryAllow_andEndWithTheOpenFile() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            Proc.Result r = Proc.run(m.mnt, List.of(Proc.tool("ioctltest").toString(), m.mnt.toString()));
            System.out.print(r.out());
            assertThat(r.out()).doesNotContain("not ok").contains("17 passed, 0 failed");
            assertThat(r.status()).isZero();
        }
    }
}

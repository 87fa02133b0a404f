package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 200 processes take and drop write handles, ioctl denies and control denies on the same few
 * inodes at once, and 20 of them are killed mid-flight. Afterwards every count is back to 0, and
 * no handle, inode entry or control session is left in the daemon.
 */
class StormIT {
    @Test
    void manyProcesses_denyAndWriteAtOnce_leaveNothingBehind() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            for (int i = 0; i < 4; i++) {
                m.file("f" + i, "");
            }
            Proc.Result r = Proc.run(m.mnt, List.of(Proc.tool("storm").toString(), m.mnt.toString(), "200", "40", "4"));
            System.out.print(r.out());
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).matches("procs=200 granted=[1-9]\\d* etxtbsy=[1-9]\\d* unexpected=0 killed=20\\n");
            MountView fs = m.mount.view();
            LiveMount.await("every handle released", Duration.ofSeconds(60),
                    () -> fs.openHandles() == 0 && fs.controlSessions() == 0);
            assertThat(fs.inodeEntries()).isZero();
            for (int i = 0; i < 4; i++) {
                assertThat(m.count("f" + i)).isZero();
            }
        }
    }
}

package org.denyfs.kernel;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every rule of {@link WriteDenyIT} once more with {@code passthrough=auto}: on a kernel with FUSE
 * passthrough the kernel then serves READ and WRITE of backing files itself, so both paths stay
 * tested (the default, {@code passthrough=off}, is WriteDenyIT's).
 */
class WriteDenyWithPassthroughIT extends WriteDenyIT {
    /** Hides OnOneMount's mount(): JUnit runs this one instead. */
    @BeforeAll
    static void mount() throws IOException {
        m = LiveMount.start("passthrough=auto");
    }
}

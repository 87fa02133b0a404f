package org.denyfs.kernel;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every rule of {@link WriteDenyIT} once more with {@code passthrough=off}: the daemon then serves
 * each READ and WRITE itself, today's path on kernels without passthrough, so both stay tested.
 */
class WriteDenyWithoutPassthroughIT extends WriteDenyIT {
    /** Hides OnOneMount's mount(): JUnit runs this one instead. */
    @BeforeAll
    static void mount() throws IOException {
        m = LiveMount.start("passthrough=off");
    }
}

package org.denyfs.kernel;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * For test classes whose tests share one mount over an empty backing directory: mounted before the
 * first test, unmounted after the last, even when tests fail. Classes run one at a time.
 */
abstract class OnOneMount {
    static LiveMount m;

    @BeforeAll
    static void mount() throws IOException {
        m = LiveMount.start();
    }

    @AfterAll
    static void unmount() throws IOException {
        if (m != null) {
            m.close();
            m = null;
        }
    }
}

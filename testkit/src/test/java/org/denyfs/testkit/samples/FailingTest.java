package org.denyfs.testkit.samples;

import java.nio.file.Path;
import org.denyfs.testkit.DenyfsMount;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Run by ExtensionLifecycleTest through EngineTestKit only (surefire excludes samples). */
public class FailingTest {
    public static Path seen;

    @Test
    void fails(@DenyfsMount Path mnt) {
        seen = mnt;
        Assertions.fail("on purpose");
    }
}

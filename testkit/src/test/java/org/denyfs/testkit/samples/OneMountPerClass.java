package org.denyfs.testkit.samples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.denyfs.abi.MountTable;
import org.denyfs.testkit.DenyfsMount;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Run by ExtensionLifecycleTest through EngineTestKit only (surefire excludes samples). */
public class OneMountPerClass {
    public static final List<Path> seen = new ArrayList<>();

    @BeforeAll
    static void mount(@DenyfsMount Path mnt) {
        seen.clear();
        seen.add(mnt);
    }

    @Test
    void first(@DenyfsMount Path mnt) {
        seen.add(mnt);
        Assertions.assertTrue(MountTable.isMounted(mnt));
    }

    @Test
    void second(@DenyfsMount Path mnt) {
        seen.add(mnt);
        Assertions.assertTrue(MountTable.isMounted(mnt));
    }
}

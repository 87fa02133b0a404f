package org.denyfs.testkit.samples;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.denyfs.testkit.DenyfsMount;
import org.junit.jupiter.api.Test;

/** Run by ExtensionLifecycleTest through EngineTestKit only (surefire excludes samples). */
public class BusyAtUnmount {
    public static Path seen;
    public static FileChannel leaked;

    @Test
    void leavesAFileOpen(@DenyfsMount Path mnt) throws IOException {
        seen = mnt;
        Files.writeString(mnt.resolve("f"), "data");
        leaked = FileChannel.open(mnt.resolve("f"), StandardOpenOption.READ);
    }
}

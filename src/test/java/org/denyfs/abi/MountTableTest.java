package org.denyfs.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountTableTest {
    @Test
    void unescape_turnsOctalEscapesBackIntoCharacters() {
        assertThat(MountTable.unescape("/tmp/a\\040b")).isEqualTo("/tmp/a b");
        assertThat(MountTable.unescape("/plain")).isEqualTo("/plain");
        assertThat(MountTable.unescape("/odd\\")).isEqualTo("/odd\\");
        assertThat(MountTable.unescape("/x\\09z")).isEqualTo("/x\\09z");
    }

    @Test
    void containing_findsTheInnermostMount_ofAnyType() throws Exception {
        assertThat(MountTable.containing(Path.of("/proc/self/status"))).get()
                .extracting(MountTable.Entry::fsType).isEqualTo("proc");
        assertThat(MountTable.mountedAt(Path.of("/proc"))).isPresent();
        assertThat(MountTable.mountedAt(Path.of("/proc/self"))).isEmpty();
    }
}

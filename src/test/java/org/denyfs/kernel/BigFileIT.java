package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A 1 GiB file written and read through the mount has the same bytes as the backing file. */
class BigFileIT {
    @Test
    void oneGibibyte_writtenAndReadThroughTheMount_matchesTheBackingFile() throws IOException {
        try (LiveMount m = LiveMount.start()) {
            Proc.Result r = Proc.sh(m.mnt, """
                    head -c 1073741824 /dev/urandom > big
                    a=$(sha256sum < big)
                    b=$(sha256sum < %s/big)
                    [ "$a" = "$b" ] && stat -c %%s big && echo same
                    """.formatted(m.backing));
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).isEqualTo("1073741824\nsame\n");
        }
    }
}

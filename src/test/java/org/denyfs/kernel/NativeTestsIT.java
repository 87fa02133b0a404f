package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * native-test/run.sh: the launcher mounts in the background, then one shell script per rule runs
 * against it as real processes, then the launcher unmounts. Fails if any script fails.
 */
class NativeTestsIT {
    @Test
    void everyNativeTestScript_passesAgainstAMountMadeByTheLauncher() {
        LiveMount.requireFuse();
        Proc.Result r = Proc.run(Path.of("."), List.of("bash", "native-test/run.sh"));
        System.out.print(r.out());
        assertThat(r.out()).doesNotContain("FAILED").containsPattern("native-test: [1-9]\\d* passed, 0 failed");
        assertThat(r.status()).isZero();
    }
}

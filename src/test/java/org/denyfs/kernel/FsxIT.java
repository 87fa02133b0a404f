package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No byte is lost or misplaced: native-test/src/fsx.c (an fsx-style exerciser: random writes,
 * reads, mmap reads and writes, truncates, fallocate, hole punching, zero ranges,
 * copy_file_range, fsync, reopen, every read compared with a copy in memory) runs through the mount,
 * buffered with mmap and with O_DIRECT, and the backing file ends equal to what the mount shows.
 * Operation counts: -Dfsx.ops (default 100000) and -Dfsx.directOps (default 20000).
 */
class FsxIT extends OnOneMount {
    private static final long OPS = Long.getLong("fsx.ops", 100_000);
    private static final long DIRECT_OPS = Long.getLong("fsx.directOps", 20_000);

    private static void fsx(String file, long ops, String... flags) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Proc.tool("fsx").toString(), "-N", Long.toString(ops), "-S", "13"));
        cmd.addAll(List.of(flags));
        cmd.add(m.mnt.resolve(file).toString());
        Proc.Result r = Proc.run(m.mnt, cmd);
        System.out.print(r.out());
        assertThat(r.status()).as(r.all()).isZero();
        assertThat(r.out()).contains("no difference");
        assertThat(Files.readAllBytes(m.backing.resolve(file))).as("the backing file").isEqualTo(Files.readAllBytes(m.mnt.resolve(file)));
    }

    @Test
    void fsx_bufferedAndMmap_findsNoDifference() throws Exception {
        fsx("buffered", OPS);
    }

    @Test
    void fsx_oDirect_findsNoDifference() throws Exception {
        fsx("direct", DIRECT_OPS, "-Z");
    }
}

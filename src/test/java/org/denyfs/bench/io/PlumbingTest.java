package org.denyfs.bench.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.denyfs.bench.harness.Json;
import org.denyfs.bench.harness.Launcher;
import org.denyfs.bench.harness.Rotation;
import org.denyfs.bench.harness.TargetUnavailable;
import org.junit.jupiter.api.Test;

/** The small helpers around the benchmark: sizes, JSON, /proc/mounts escapes, ordering, launcher lookup. */
class PlumbingTest {
    @Test
    void sizesUsePowersOf1024() {
        assertThat(ByteSize.parse("1g")).isEqualTo(1L << 30);
        assertThat(ByteSize.parse("8M")).isEqualTo(8L << 20);
        assertThat(ByteSize.parse("512KiB")).isEqualTo(512L << 10);
        assertThat(ByteSize.parse("4096")).isEqualTo(4096);
        assertThat(ByteSize.format(1L << 30)).isEqualTo("1 GiB");
        assertThat(ByteSize.format(3L << 19)).isEqualTo("1536 KiB");
        assertThatThrownBy(() -> ByteSize.parse("lots")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ByteSize.parse("0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rotationGivesEveryTargetEveryPosition() {
        List<String> t = List.of("native", "bindfs", "denyfs");
        assertThat(Rotation.rotate(t, 0)).containsExactly("native", "bindfs", "denyfs");
        assertThat(Rotation.rotate(t, 1)).containsExactly("bindfs", "denyfs", "native");
        assertThat(Rotation.rotate(t, 2)).containsExactly("denyfs", "native", "bindfs");
        assertThat(Rotation.rotate(t, 3)).containsExactly("native", "bindfs", "denyfs");
    }

    @Test
    void iobenchArgumentsFollowTheWorkload() {
        BenchConfig cfg = new BenchConfig(1L << 30, 2000, 3, 100, List.of(TargetKind.NATIVE), Path.of("/o"), null,
                false, "scripts/denyfs", null, null);
        assertThat(Workload.SEQWRITE_FSYNC.iobenchArgs("/d", cfg))
                .containsExactly("seqwrite", "/d", "--size", "1073741824", "--fsync");
        assertThat(Workload.SEQREAD_COLD.iobenchArgs("/d", cfg)).containsExactly("seqread", "/d", "--drop-caches");
        assertThat(Workload.RANDREAD.iobenchArgs("/d", cfg))
                .containsExactly("randread", "/d", "--warmup", "--count", "100", "--seed", "42");
        assertThat(Workload.META_OPEN_WO.iobenchArgs("/d", cfg)).containsExactly("meta-open-wo", "/d", "--files", "2000");
    }

    @Test
    void jsonEscapesStringsAndWritesMissingFiguresAsNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n");
        m.put("n", 1.5);
        m.put("nan", Double.NaN);
        m.put("l", List.of(1, true));
        String json = Json.write(m).replaceAll("\\s+", "");
        assertThat(json).isEqualTo("{\"s\":\"a\\\"b\\\\c\\n\",\"n\":1.5,\"nan\":null,\"l\":[1,true]}");
        assertThat(Json.write(100000.0).strip()).isEqualTo("100000");
    }

    @Test
    void anAbsentLauncherIsASkipNotAnError(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> Launcher.resolve("scripts/denyfs", dir))
                .isInstanceOf(TargetUnavailable.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Launcher.resolve("no-such-denyfs-launcher --x", dir))
                .isInstanceOf(TargetUnavailable.class).hasMessageContaining("not on PATH");
    }

    @Test
    void aLauncherMaySpanSeveralWords() throws Exception {
        assertThat(Launcher.resolve("sh -c true", null)).first().asString().isEqualTo("sh");
        assertThat(Launcher.resolve("sh  -c   true", null)).containsExactly("sh", "-c", "true");
    }
}

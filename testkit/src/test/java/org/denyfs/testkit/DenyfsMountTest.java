package org.denyfs.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.denyfs.abi.MountTable;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Test;

/** @DenyfsMount and the Denyfs API on real mounts, driven by this JVM's own file operations. */
class DenyfsMountTest {
    private static final Duration RELEASE = Duration.ofSeconds(10);

    @Test
    void denyfsMount_pathParameter_isALiveDenyfsMountOfAnEmptyDirectory(@DenyfsMount Path mnt) throws IOException {
        assertThat(MountTable.isMounted(mnt)).isTrue();
        try (var entries = Files.list(mnt)) {
            assertThat(entries).isEmpty(); // .denyfs is hidden from the root's listing
        }
        Files.writeString(mnt.resolve("f"), "data");
        assertThat(Files.readString(mnt.resolve("f"))).isEqualTo("data");
    }

    @Test
    void denyfsMount_pathAndDenyfsInOneTest_shareOneMount(@DenyfsMount Path mnt, @DenyfsMount Denyfs denyfs) {
        assertThat(denyfs.mountPoint()).isEqualTo(mnt);
    }

    @Test
    void deny_whileOpenForWrite_failsEtxtbsyAndHoldersNameTheWriter(@DenyfsMount Denyfs denyfs) throws IOException {
        Path f = denyfs.write("f", "data");
        try (FileChannel writer = FileChannel.open(f, StandardOpenOption.WRITE)) {
            assertThat(denyfs.query(f)).isEqualTo(1);
            assertThatThrownBy(() -> denyfs.deny(f)).isInstanceOfSatisfying(DenyfsException.class,
                    e -> assertThat(e.errno()).isEqualTo("ETXTBSY"));
            assertThat(denyfs.holders(f)).singleElement().satisfies(h -> {
                assertThat(h.kind()).isEqualTo("write");
                // FUSE names the calling thread: its thread group is this JVM
                assertThat(threadGroupOf(h.pid())).isEqualTo(ProcessHandle.current().pid());
            });
        }
    }

    private static long threadGroupOf(long tid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(tid), "status")).stream()
                .filter(l -> l.startsWith("Tgid:")).mapToLong(l -> Long.parseLong(l.substring(5).trim())).findFirst()
                .orElseThrow();
    }

    @Test
    void denyThenAllow_refusesWritersUntilAllowed(@DenyfsMount Denyfs denyfs) throws IOException {
        Path f = denyfs.write("f", "data");
        assertThat(denyfs.deny(f)).isEqualTo(-1);
        assertThat(denyfs.deny(Path.of("f"))).isEqualTo(-2); // names relative to the mount root work too
        assertThatThrownBy(() -> Files.writeString(f, "x")).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("Text file busy");
        denyfs.allow(f);
        assertThat(denyfs.allow(f)).isZero();
        Files.writeString(f, "x");
    }

    @Test
    void xdeny_whileDenied_failsEtxtbsy(@DenyfsMount Denyfs denyfs) {
        Path f = denyfs.write("f", "data");
        try (Denyfs.Hold held = denyfs.hold(f)) {
            assertThatThrownBy(() -> denyfs.xdeny(f)).isInstanceOfSatisfying(DenyfsException.class,
                    e -> assertThat(e.errno()).isEqualTo("ETXTBSY"));
        }
    }

    @Test
    void hold_untilClosed_refusesWritersThroughEveryHardLink(@DenyfsMount Denyfs denyfs) throws IOException {
        Path f = denyfs.write("f", "data");
        Path link = Files.createLink(denyfs.path("link"), f);
        try (Denyfs.Hold held = denyfs.hold(f, true)) {
            assertThat(denyfs.query(link)).isEqualTo(-1);
            assertThat(denyfs.holders(link)).extracting(Holder::kind).containsExactly("xdeny");
            assertThatThrownBy(() -> Files.writeString(link, "x")).hasMessageContaining("Text file busy");
        }
        denyfs.awaitCount(f, 0, RELEASE); // the hold's RELEASE is asynchronous
        Files.writeString(link, "x");
        assertThat(Files.readString(f)).isEqualTo("x");
    }

    @Test
    void status_isTheDaemonInThisJvm(@DenyfsMount Denyfs denyfs) {
        assertThat(denyfs.status()).containsEntry("pid", Long.toString(ProcessHandle.current().pid()))
                .containsEntry("control_denies", "0");
    }

    @Test
    void denyfsMount_options_areMountOptions(@DenyfsMount(options = "policy=exclusive") Path mnt) throws IOException {
        try (Client c = Client.open(mnt)) {
            assertThat(c.request("policy")).isEqualTo("ok exclusive");
        }
    }
}

package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Test;

/**
 * request_firmware through the mount, by the control file's {@code firmware PATH} and by the
 * DENYFS_IOC_FIRMWARE ioctl from C (native-test/src/firmwareioctl.c on libdenyfs): kernel_read_file's
 * deny for the read only, ETXTBSY while a real process holds the file open for write, and the figures
 * in status. Writers are held by shells that wait on a handshake, never by time.
 */
class FirmwareIT {
    @Test
    void requestFirmware_ofAFile_readsItAll_andDeniesNothingAfterwards() throws Exception {
        try (LiveMount m = LiveMount.start(); Client c = Client.open(m.mnt)) {
            Files.createDirectories(m.backing.resolve("lib/firmware"));
            Files.write(m.backing.resolve("lib/firmware/blob.bin"), new byte[200_000]);
            assertThat(c.request("firmware lib/firmware/blob.bin")).isEqualTo("ok 200000");
            assertThat(c.request("query lib/firmware/blob.bin")).isEqualTo("ok 0"); // the deny was for the read only
            Proc.Result ioctl = Proc.run(m.mnt, List.of(Proc.tool("firmwareioctl").toString(), "lib/firmware/blob.bin"));
            assertThat(ioctl.out()).isEqualTo("ok 200000\n");
            assertThat(Proc.sh(m.mnt, "echo x >> lib/firmware/blob.bin").status()).isZero(); // writable again
            assertThat(c.request("status")).contains(" firmware_requests=2 firmware_loaded=2 firmware_busy=0 "
                    + "firmware_failed=0 firmware_bytes=400000");
        }
    }

    @Test
    void requestFirmware_whileAWriterHoldsTheFile_failsEtxtbsy() throws Exception {
        try (LiveMount m = LiveMount.start(); Client c = Client.open(m.mnt)) {
            m.file("fw.bin", "firmware\n");
            try (Holder writer = Holder.sh(m.mnt, "exec 3>>fw.bin")) {
                assertThat(c.request("firmware fw.bin")).startsWith("err ETXTBSY");
                Proc.Result ioctl = Proc.run(m.mnt, List.of(Proc.tool("firmwareioctl").toString(), "fw.bin"));
                assertThat(ioctl.out()).isEqualTo("err ETXTBSY\n");
                assertThat(writer.finish()).isZero();
            }
            LiveMount.await("the writer's release", Duration.ofSeconds(30), () -> count(m, "fw.bin") == 0);
            assertThat(c.request("firmware fw.bin")).isEqualTo("ok 9");
            assertThat(c.request("status")).contains(" firmware_requests=3 firmware_loaded=1 firmware_busy=2 firmware_failed=2 ");
        }
    }

    @Test
    void requestFirmware_byIoctlOnAHandleOpenForWrite_failsEtxtbsy() throws Exception {
        try (LiveMount m = LiveMount.start()) {
            m.file("fw.bin", "firmware\n");
            Proc.Result ioctl = Proc.run(m.mnt, List.of(Proc.tool("firmwareioctl").toString(), "fw.bin", "rw"));
            assertThat(ioctl.out()).isEqualTo("err ETXTBSY\n");
        }
    }

    @Test
    void requestFirmware_ofAnEmptyFile_failsEinval_andStacksOnOtherDeniers() throws Exception {
        try (LiveMount m = LiveMount.start("exclusive_read=held.bin"); Client c = Client.open(m.mnt)) {
            m.file("empty.bin", "");
            assertThat(c.request("firmware empty.bin")).startsWith("err EINVAL");
            m.file("held.bin", "held\n");
            try (Holder reader = Holder.sh(m.mnt, "exec 3<held.bin")) {
                assertThat(c.request("query held.bin")).isEqualTo("ok -1"); // an exclusive reader holds it
                assertThat(c.request("firmware held.bin")).isEqualTo("ok 5"); // kernel_read_file's deny stacks
                assertThat(reader.finish()).isZero();
            }
        }
    }

    private static int count(LiveMount m, String name) {
        try {
            return m.count(name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

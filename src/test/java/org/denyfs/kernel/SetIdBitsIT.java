package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.denyfs.user.client.Client;
import org.denyfs.user.client.MountStatus;
import org.junit.jupiter.api.Test;

/**
 * The kernel's set-id rule (fs/attr.c: should_remove_suid, setattr_should_drop_sgid) through the
 * mount, with the default passthrough: a write, truncate or O_TRUNC open by a caller without
 * CAP_FSETID clears S_ISUID, and S_ISGID when the group may execute; a caller with CAP_FSETID
 * keeps them. The daemon does it itself (FUSE_HANDLE_KILLPRIV_V2), since its own writes to BACKING
 * run with CAP_FSETID and passed-through writes never reach it; in return the kernel stops asking
 * GETXATTR before every write. {@link SetIdBitsWithoutPassthroughIT} runs the same with
 * passthrough=off.
 */
class SetIdBitsIT extends OnOneMount {
    private static final String NOBODY = "setpriv --reuid=65534 --regid=65534 --clear-groups ";

    private static Path file(String name, String mode) throws IOException {
        Path f = m.file(name, "0123456789");
        assertThat(Proc.sh(m.backing, "chmod " + mode + " " + name).status()).isZero();
        return f;
    }

    private static String mode(String name) throws IOException {
        Proc.Result r = Proc.sh(m.backing, "stat -c %a " + name);
        assertThat(r.status()).as(r.all()).isZero();
        return r.out().trim();
    }

    private static void nobody(String script) {
        Proc.Result r = Proc.sh(m.mnt, NOBODY + "sh -c '" + script + "'");
        assertThat(r.status()).as(r.all()).isZero();
    }

    private static Map<String, String> status() throws IOException {
        try (Client c = Client.open(m.mnt)) {
            String reply = c.request("status");
            assertThat(reply).startsWith("ok ");
            return MountStatus.fields(reply.substring(3));
        }
    }

    @Test
    void write_byCallerWithoutFsetid_clearsSetuid_andSetgidWithGroupExecute() throws IOException {
        file("w1", "6777");
        nobody("echo x >> w1");
        assertThat(mode("w1")).isEqualTo("777");
        assertThat(Files.readString(m.backing.resolve("w1"))).isEqualTo("0123456789x\n");
    }

    @Test
    void write_byCallerWithoutFsetidInTheFilesGroup_keepsSetgidWithoutGroupExecute() throws IOException {
        file("w2", "6767");
        assertThat(Proc.sh(m.backing, "chgrp 65534 w2 && chmod 6767 w2").status()).isZero();
        nobody("echo x >> w2");
        assertThat(mode("w2")).isEqualTo("2767");
    }

    @Test
    void write_byCallerWithoutFsetidOutsideTheFilesGroup_clearsSetgidWithoutGroupExecute() throws IOException {
        file("w6", "6767"); // root's group: nobody is not in it (Linux 6.2's setattr_should_drop_sgid)
        nobody("echo x >> w6");
        assertThat(mode("w6")).isEqualTo("767");
    }

    @Test
    void fallocate_byCallerWithoutFsetid_clearsSetIdBits() throws IOException {
        file("f1", "6777");
        nobody("fallocate -l 65536 f1");
        assertThat(mode("f1")).isEqualTo("777");
        assertThat(Files.size(m.backing.resolve("f1"))).isEqualTo(65536);
    }

    @Test
    void openForWrite_afterARead_withoutWriting_keepsSetIdBits() throws IOException {
        file("w7", "6777");
        // the read's backing id is parked after its release: the write open must still take the daemon's path
        assertThat(Files.readString(m.mnt.resolve("w7"))).isEqualTo("0123456789");
        // its RELEASE is asynchronous: until it lands the inode still counts as bound to a backing file
        LiveMount.await("the read's release", java.time.Duration.ofSeconds(30), () -> {
            try {
                return !"on".equals(status().get("passthrough")) || "0".equals(status().get("backing_ids"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        nobody("exec 3>>w7; exec 3>&-");
        assertThat(mode("w7")).isEqualTo("6777");
        nobody("echo x >> w7");
        assertThat(mode("w7")).isEqualTo("777");
    }

    @Test
    void write_byCallerWithFsetid_keepsSetIdBits() throws IOException {
        file("w3", "6777");
        assertThat(Proc.sh(m.mnt, "echo x >> w3").status()).isZero();
        assertThat(mode("w3")).isEqualTo("6777");
    }

    @Test
    void openForWrite_withoutWriting_keepsSetIdBits() throws IOException {
        file("w4", "6777");
        nobody("exec 3>>w4; exec 3>&-");
        assertThat(mode("w4")).isEqualTo("6777");
    }

    @Test
    void write_whileAReaderHoldsTheFileOpen_stillClearsSetIdBits() throws IOException {
        file("w5", "6777");
        // with passthrough the reader's open binds the inode to a backing file: the writer's open must
        // pass through too, so its writes cannot reach the daemon; the bits go at that open instead
        try (Holder reader = Holder.sh(m.mnt, "exec 3<w5")) {
            nobody("echo x >> w5");
            assertThat(mode("w5")).isEqualTo("777");
        }
    }

    @Test
    void truncate_byCallerWithoutFsetid_clearsSetIdBits() throws IOException {
        file("t1", "6777");
        nobody("truncate -s 3 t1");
        assertThat(mode("t1")).isEqualTo("777");
        file("t2", "6777");
        nobody(": > t2");
        assertThat(mode("t2")).isEqualTo("777");
        assertThat(Files.size(m.backing.resolve("t2"))).isZero();
    }

    @Test
    void writes_areNotEachPrecededByAGetxattr() throws IOException {
        assertThat(status().get("killpriv")).isEqualTo("v2");
        long before = Long.parseLong(status().get("xattr_reads"));
        assertThat(Proc.sh(m.mnt, "dd if=/dev/zero of=x1 bs=4k count=64 status=none").status()).isZero();
        // without FUSE_HANDLE_KILLPRIV_V2: one GETXATTR security.capability per write(2), 64 here
        assertThat(Long.parseLong(status().get("xattr_reads")) - before).isLessThanOrEqualTo(4);
    }
}

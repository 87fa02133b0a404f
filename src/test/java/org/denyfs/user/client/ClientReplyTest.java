package org.denyfs.user.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientReplyTest {
    @Test
    void parse_okWithValue_keepsTheValue() {
        assertThat(Client.Reply.parse("ok -1")).isEqualTo(new Client.Reply(true, "-1", null, null));
        assertThat(Client.Reply.parse("ok deny pid=1 uid=0 since=x, write pid=2 uid=0 since=y").value())
                .isEqualTo("deny pid=1 uid=0 since=x, write pid=2 uid=0 since=y");
    }

    @Test
    void parse_bareOk_hasAnEmptyValue() {
        assertThat(Client.Reply.parse("ok")).isEqualTo(new Client.Reply(true, "", null, null));
    }

    @Test
    void parse_err_splitsErrnoAndMessage() {
        assertThat(Client.Reply.parse("err ETXTBSY deny_write_access: 1 writer"))
                .isEqualTo(new Client.Reply(false, null, "ETXTBSY", "deny_write_access: 1 writer"));
        assertThat(Client.Reply.parse("err EINVAL")).isEqualTo(new Client.Reply(false, null, "EINVAL", ""));
    }

    @Test
    void parse_neitherOkNorErr_isEio() {
        assertThat(Client.Reply.parse("okay").errno()).isEqualTo("EIO");
        assertThat(Client.Reply.parse("").ok()).isFalse();
    }
}

package org.denyfs.user.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void modStrerror_moduleErrnos_useKmodWording() {
        assertEquals("Invalid module format", Messages.of(8));
        assertEquals("Unknown symbol in module", Messages.of(2));
        assertEquals("Module has wrong symbol version", Messages.of(3));
        assertEquals("Invalid parameters", Messages.of(22));
    }

    @Test
    void modStrerror_otherErrnos_areStrerror() {
        assertEquals("File exists", Messages.of(17));
        assertEquals("Text file busy", Messages.of(26));
        assertEquals("Resource temporarily unavailable", Messages.of(11));
        assertEquals("Unknown error 200", Messages.of(200));
    }

    /** core.Errno is the one table: every errno the daemon can name reads as glibc's strerror, as kmod prints it. */
    @Test
    void controlReply_anyErrnoOfTheOneTable_readsAsStrerror() {
        for (org.denyfs.core.Errno e : org.denyfs.core.Errno.values()) {
            assertEquals(e.code(), Messages.number(e.name()));
            assertEquals(e.message(), Messages.strerror(Messages.number(e.name())));
        }
        assertEquals("Operation not supported", Messages.of(Messages.number("EOPNOTSUPP")));
    }

    @Test
    void controlReply_errnoNames_mapToNumbers() throws Exception {
        assertEquals(11, Messages.number("EAGAIN"));
        assertEquals(26, Messages.number("ETXTBSY"));
        assertEquals(17, Messages.number("17"));
        assertEquals(11, Messages.number("EWOULDBLOCK"));
        assertEquals(5, Messages.number("EBOGUS"));
        LoaderException e = org.junit.jupiter.api.Assertions.assertThrows(LoaderException.class,
                () -> KernelClient.check("err EAGAIN delete_module: cryptd is in use by crypto_simd"));
        assertEquals(11, e.errno());
        KernelClient.check("ok 0");
    }
}

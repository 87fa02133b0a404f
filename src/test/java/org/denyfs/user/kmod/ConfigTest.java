package org.denyfs.user.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** modprobe.d parsing as libkmod-config.c (kmod 30) does it; KmodExhaustiveIT checks the same against kmod itself. */
class ConfigTest {
    @TempDir
    Path dir;

    private final Tree.Capture capture = new Tree.Capture();

    private Config parse(String text) {
        Config c = read(List.of());
        c.parse(text, "/etc/modprobe.d/x.conf");
        return c;
    }

    private Config read(List<Path> paths) {
        try {
            return Config.read(null, paths, capture.log("modprobe", Log.WARNING));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void softdep_wordsBeforePreOrPost_belongToNeither() {
        Config c = parse("softdep cifs gcm ccm\nsoftdep a x pre: b c post: d\n");
        assertEquals(List.of(new Config.Softdep("cifs", List.of(), List.of()),
                new Config.Softdep("a", List.of("b", "c"), List.of("d"))), c.softdeps);
        assertEquals("pre: b cpost: d", c.softdeps.get(1).text()); // softdep_to_char joins them without a space
    }

    @Test
    void options_keepTheRestOfTheLine_tabsAsSpaces() {
        Config c = parse("options foo-bar  a=1\tb=\"x y\"  \n");
        assertEquals(List.of(new Config.Entry("foo_bar", " a=1 b=\"x y\"  ")), c.options);
    }

    @Test
    void backslash_joinsLines_andIsDroppedBeforeAnyOtherCharacter() {
        Config c = parse("options a x=1 \\\n  y=2\noptions b back\\slash=1\n");
        assertEquals(List.of(new Config.Entry("a", "x=1   y=2"), new Config.Entry("b", "backslash=1")), c.options);
    }

    @Test
    void badLines_reportedWithLibkmodsPrefixAndLineNumber_andSkipped() {
        Config c = parse("# comment\n alias x y\nfrobnicate z\noptions\nalias bad] m\ninclude other.conf\n");
        assertEquals(List.of(new Config.Entry("x", "y")), c.aliases);
        assertEquals("libkmod: ERROR ../libkmod/libkmod-config.c:712 kmod_config_parse: /etc/modprobe.d/x.conf line 3: "
                + "ignoring bad line starting with 'frobnicate'\n"
                + "libkmod: ERROR ../libkmod/libkmod-config.c:712 kmod_config_parse: /etc/modprobe.d/x.conf line 4: "
                + "ignoring bad line starting with 'options'\n"
                + "libkmod: ERROR ../libkmod/libkmod-config.c:712 kmod_config_parse: /etc/modprobe.d/x.conf line 5: "
                + "ignoring bad line starting with 'alias'\n"
                + "libkmod: ERROR ../libkmod/libkmod-config.c:708 kmod_config_parse: /etc/modprobe.d/x.conf: "
                + "command include is deprecated and not parsed anymore\n", capture.result(0).err());
    }

    @Test
    void files_readInNameOrder_anEarlierDirectoryHidesTheSameName() throws IOException {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Files.writeString(first.resolve("b.conf"), "blacklist from_first_b\n");
        Files.writeString(second.resolve("b.conf"), "blacklist from_second_b\n");
        Files.writeString(second.resolve("a.alias"), "blacklist from_second_a\n");
        Files.writeString(second.resolve(".hidden.conf"), "blacklist hidden\n");
        Files.writeString(second.resolve("notes.txt"), "blacklist txt\n");
        assertEquals(List.of("from_second_a", "from_first_b"), read(List.of(first, second)).blacklist);
    }

    @Test
    void underscores_dashesOutsideBrackets_unbalancedIsBad() {
        assertEquals("a_b[x-y]_c", Config.underscores("a-b[x-y]-c"));
        assertEquals(null, Config.underscores("a[b"));
        assertEquals(null, Config.underscores("a]b"));
    }
}

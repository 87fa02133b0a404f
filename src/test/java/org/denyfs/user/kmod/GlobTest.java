package org.denyfs.user.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobTest {
    @Test
    void fnmatch_cpuFeatureAlias_matchesModalias() {
        assertTrue(Glob.matches("cpu:type:x86,ven*fam*mod*:feature:*0099*",
                "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0099,00C0"));
        assertFalse(Glob.matches("cpu:type:x86,ven*fam*mod*:feature:*0099*",
                "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0098"));
    }

    @Test
    void fnmatch_bracketsQuestionMarkAndEscapes_asLibc() {
        assertTrue(Glob.matches("pci:v00008086d0000[12]*", "pci:v00008086d00001533"));
        assertFalse(Glob.matches("pci:v00008086d0000[!12]*", "pci:v00008086d00001533"));
        assertTrue(Glob.matches("a?c", "abc"));
        assertFalse(Glob.matches("a?c", "ac"));
        assertTrue(Glob.matches("a\\*c", "a*c"));
        assertFalse(Glob.matches("a\\*c", "abc"));
        assertTrue(Glob.matches("[a-c]x", "bx"));
        assertTrue(Glob.matches("*", ""));
        assertFalse(Glob.matches("abc", "abcd"));
    }

    @Test
    void aliasNormalize_dashesOutsideBrackets_becomeUnderscores() {
        assertEquals("aesni_intel", ModuleIndex.normalizeAlias("aesni-intel"));
        assertEquals("x_[a-z]", ModuleIndex.normalizeAlias("x-[a-z]"));
        assertEquals("ghash_clmulni_intel", ModuleIndex.moduleName("kernel/arch/x86/crypto/ghash-clmulni-intel.ko.xz"));
    }

    @Test
    void modinfoHex_wrapsAfterTwentyBytes_asKmod() {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 21; i++) {
            in.append(i == 0 ? "" : ":").append(String.format("%02X", i));
        }
        String out = Modinfo.wrapHex(in.toString());
        assertEquals("00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:\n\t\t14", out);
        assertEquals("AA:BB", Modinfo.wrapHex("AA:BB"));
    }

    @Test
    void optionsFromArray_quotesValuesWithSpaces() {
        assertEquals("a=1 b=\"x y\" c='p q'", Modprobe.optionsFromArray(java.util.List.of("m", "a=1", "b=x y", "c='p q'")));
    }
}

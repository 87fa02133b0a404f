package org.denyfs.user.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * denyfs's modprobe and modinfo against Debian's kmod 30 on the same module tree, line by line:
 * kmod is the oracle (it only reads files here: --show-depends and modinfo never load anything).
 * modprobe runs with -C /dev/null so that neither side reads any modprobe.d configuration.
 */
class KmodComparisonTest {
    /** The modalias of an Intel CPU's uevent, as udev asks kmod to load it (many alias matches). */
    static final String CPU_MODALIAS = "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0001,0002,0003,0004,0005,"
            + "0006,0007,0008,0009,000B,000C,000D,000E,000F,0010,0011,0013,0015,0016,0017,0018,0019,001A,001B,001C,"
            + "001D,001F,002B,0034,003A,003B,003D,0068,006F,0070,0072,0074,0075,0076,0079,0080,0081,0089,008C,008D,"
            + "0091,0093,0094,0095,0096,0097,0098,0099,009A,009B,009C,009D,009E,009F,00C0,00C5,00E7,00EB,00EC,00F0,"
            + "00F1,00F3,00F5,00F6,00F9,00FA,00FB,00FD,00FF,0120,0123,0125,0127,0128,0129,012A,012D,0140,0165";

    @ParameterizedTest
    @ValueSource(strings = {"aesni_intel", "aesni-intel", "aes", "crypto-aes", "cifs", "crc32c", "ext4", "virtio_net",
        "virtio:d00000001v00001AF4", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00", "nosuch", CPU_MODALIAS})
    void modprobeShowDepends_sameLinesAndStatusAsKmod(String name) throws Exception {
        Tree t = Tree.require();
        Tree.requireKmod();
        Tree.Result kmod = Tree.exec(List.of("/usr/sbin/modprobe", "-C", "/dev/null", "--show-depends",
                "-d", t.root().toString(), "-S", t.release(), name));
        Tree.Result ours = Tree.modprobe(null, t.root(), t.release(), Tree.options("D"), name);
        assertEquals(kmod.out(), ours.out(), "stdout of --show-depends " + name);
        assertEquals(kmod.err(), ours.err(), "stderr of --show-depends " + name);
        assertEquals(kmod.status(), ours.status(), "exit status of --show-depends " + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nosuch", "pci:v0000FFFFd0000FFFFsv*"})
    void modprobeQuiet_notFound_silentFailureAsKmod(String name) throws Exception {
        Tree t = Tree.require();
        Tree.requireKmod();
        Tree.Result kmod = Tree.exec(List.of("/usr/sbin/modprobe", "-q", "-C", "/dev/null", "--show-depends",
                "-d", t.root().toString(), "-S", t.release(), name));
        Tree.Result ours = Tree.modprobe(null, t.root(), t.release(), Tree.options("Dq"), name);
        assertEquals(kmod.all(), ours.all());
        assertEquals(1, ours.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"aesni_intel", "cryptd", "crypto_simd", "crc32c", "virtio_net", "e1000e", "ext4",
        "aes", "nosuch", "-F signer aesni_intel", "-F sig_key cryptd", "-F signature cryptd", "-F parm virtio_net",
        "-p virtio_net", "-F alias aes", "-0 cryptd", "-n ext4", "-F name ext4", "-m aes", "-m e1000e",
        "-a virtio_net", "-d cryptd", "-l cryptd", "FILE kernel/crypto/cryptd.ko",
        "FILE kernel/drivers/net/virtio_net.ko", "FILE kernel/fs/smb/client/cifs.ko"})
    void modinfo_sameFieldsAsKmod(String args) throws Exception {
        Tree t = Tree.require();
        Tree.requireKmod();
        List<String> a = new ArrayList<>(List.of(args.split(" ")));
        if (a.get(0).equals("FILE")) {
            a = List.of(t.moduleDir().resolve(a.get(1)).toString());
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/modinfo", "-b", t.root().toString(), "-k", t.release()));
        cmd.addAll(a);
        Tree.Result kmod = Tree.exec(cmd);
        Tree.Result ours = modinfo(t, a);
        assertEquals(kmod.err(), ours.err(), "stderr of modinfo " + args);
        assertEquals(kmod.status(), ours.status(), "exit status of modinfo " + args);
        assertEquals(kmod.out().lines().toList(), ours.out().lines().toList(), "fields of modinfo " + args);
        assertEquals(kmod.out(), ours.out());
        if (args.equals("cryptd")) {
            assertFalse(kmod.out().isEmpty());
            assertEquals(true, ours.out().contains("\nsignature:      "), "the signature fields are read");
        }
    }

    private static Tree.Result modinfo(Tree t, List<String> args) throws IOException {
        String field = null;
        char sep = '\n';
        boolean modname = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-F" -> field = args.get(++i);
                case "-p" -> field = "parm";
                case "-n" -> field = "filename";
                case "-a" -> field = "author";
                case "-d" -> field = "description";
                case "-l" -> field = "license";
                case "-0" -> sep = '\0';
                case "-m" -> modname = true;
                default -> rest.add(args.get(i));
            }
        }
        Tree.Capture c = new Tree.Capture();
        Loader l = Loader.open(null, Loader.moduleDir(t.root(), t.release()), List.of(), c.log("modinfo", Log.WARNING));
        return c.result(new Modinfo(l, new Modinfo.Options(field, sep, modname)).run(rest));
    }

}

package org.denyfs.user.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loader end to end on a real mount over the Debian module tree: modprobe loads dependencies
 * first, lsmod shows who uses whom, rmmod of a used module fails as the kernel makes it fail, and
 * modprobe -r unloads the chain as kmod 30 does.
 */
class LoaderIT {
    static Tree tree;
    static Path mnt;

    @BeforeAll
    static void mount() throws Exception {
        boolean fuse = Files.exists(Path.of("/dev/fuse"));
        if ("true".equals(System.getenv("CI")) && !fuse) {
            throw new AssertionError("CI=true but /dev/fuse is missing");
        }
        Assumptions.assumeTrue(fuse, "no /dev/fuse");
        tree = Tree.require();
        mnt = Files.createTempDirectory("denyfs-loader-it");
        Tree.Result r = Tree.exec(List.of("scripts/denyfs", "mount", "-o", "policy=idempotent,init_ms=0",
                tree.root().toString(), mnt.toString()));
        assertEquals(0, r.status(), "mount: " + r.err());
    }

    @AfterAll
    static void unmount() throws Exception {
        if (mnt != null) {
            try {
                if (Files.readString(Path.of("/proc/mounts")).contains(" " + mnt + " ")) {
                    Tree.Result r = Tree.exec(List.of("scripts/denyfs", "umount", mnt.toString()));
                    assertEquals(0, r.status(), "umount: " + r.err());
                }
            } finally {
                Files.deleteIfExists(mnt);
            }
        }
    }

    private static Tree.Result modprobe(String flags, String... args) throws IOException {
        return Tree.modprobe(mnt, mnt, tree.release(), Tree.options(flags), args);
    }

    private static Tree.Result lsmod() throws IOException {
        Tree.Capture c = new Tree.Capture();
        return c.result(Lsmod.run(Loader.open(mnt, null, List.of(), c.log("lsmod", Log.WARNING))));
    }

    private static Tree.Result rmmod(boolean force, String... names) throws IOException {
        Tree.Capture c = new Tree.Capture();
        Loader l = Loader.open(mnt, Loader.moduleDir(mnt, tree.release()), List.of(), c.log("rmmod", Log.WARNING));
        return c.result(Rmmod.run(l, List.of(names), force));
    }

    private static Tree.Result insmod(String file) throws IOException {
        Tree.Capture c = new Tree.Capture();
        return c.result(Insmod.run(Loader.open(mnt, null, List.of(), c.log("insmod", Log.WARNING)), file, List.of(), false));
    }

    @Test
    void modprobeAesni_loadsDependenciesFirst_thenRemovesTheChain() throws Exception {
        Path dir = mnt.resolve("lib/modules").resolve(tree.release()).resolve("kernel");
        // modprobe -v aesni_intel
        Tree.Result r = modprobe("v", "aesni_intel");
        assertEquals("insmod " + dir.resolve("crypto/cryptd.ko") + " \n"
                + "insmod " + dir.resolve("crypto/crypto_simd.ko") + " \n"
                + "insmod " + dir.resolve("arch/x86/crypto/aesni-intel.ko") + " \n", r.out());
        assertEquals(0, r.status(), r.err());
        // lsmod
        assertEquals("Module                  Size  Used by\n"
                + "aesni_intel           348160  0\n"
                + "crypto_simd            12288  1 aesni_intel\n"
                + "cryptd                 20480  1 crypto_simd\n", lsmod().out());
        // a second modprobe: quiet success; with --first-time: kmod's message
        assertEquals("rc=0", modprobe("", "aesni_intel").all());
        assertEquals("modprobe: ERROR: could not insert 'aesni_intel': Module already in kernel\nrc=1",
                modprobe("F", "aesni_intel").all());
        // insmod of a live module: one finit, EEXIST, kmod's line
        String cryptd = dir.resolve("crypto/cryptd.ko").toString();
        assertEquals("insmod: ERROR: could not insert module " + cryptd + ": File exists\nrc=1", insmod(cryptd).all());
        // rmmod of a used module: refused, and forced: the kernel's EAGAIN
        assertEquals("rmmod: ERROR: Module cryptd is in use by: crypto_simd\nrc=1", rmmod(false, "cryptd").all());
        assertEquals("rmmod: ERROR: ../libkmod/libkmod-module.c:856 kmod_module_remove_module() could not remove 'cryptd': Resource temporarily unavailable\n"
                + "rmmod: ERROR: could not remove module cryptd: Resource temporarily unavailable\nrc=1",
                rmmod(true, "cryptd").all());
        assertEquals("modprobe: FATAL: Module cryptd is in use.\nrc=1", modprobe("r", "cryptd").all());
        // modprobe -r -v aesni_intel: kmod 30 looks at [cryptd, crypto_simd] in that order after removing
        // aesni_intel, so cryptd (still used by crypto_simd at that moment) stays
        assertEquals("rmmod aesni_intel\nrmmod crypto_simd\nrc=0", modprobe("rv", "aesni_intel").all());
        assertEquals("Module                  Size  Used by\ncryptd                 20480  0\n", lsmod().out());
        assertEquals("rc=0", modprobe("r", "cryptd").all());
        assertEquals("Module                  Size  Used by\n", lsmod().out());
        // the whole chain in one call
        assertEquals(0, modprobe("", "aes").status());
        assertEquals("rc=0", modprobe("ra", "aesni_intel", "crypto_simd", "cryptd").all());
        assertEquals("Module                  Size  Used by\n", lsmod().out());
        assertEquals("rmmod: ERROR: Module cryptd is not currently loaded\nrc=1", rmmod(false, "cryptd").all());
    }
}

package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.denyfs.image.Compression;
import org.denyfs.testing.ModuleTree;
import org.denyfs.user.client.Client;
import org.denyfs.user.kmod.Loader;
import org.denyfs.user.kmod.Log;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kmod 31+'s route on a real mount: .denyfs/sys/module/compression names the one format the
 * emulated kernel's module_decompress() undoes (-o module_compression=), and finit_module with
 * MODULE_INIT_COMPRESSED_FILE loads a file of that format, refuses any other with EINVAL as
 * kernel/module/decompress.c does, and says EOPNOTSUPP on a kernel without MODULE_DECOMPRESS.
 * The backing tree is Debian's cryptd.ko beside its xz- and zstd-compressed copies.
 */
class CompressedModulesIT {
    private static final int COMPRESSED_FILE = 4;
    private static ModuleTree debian;

    @TempDir
    Path backing;

    @BeforeAll
    static void tree() {
        debian = ModuleTree.require();
    }

    /** lib/modules/R/{modules.symbols, kernel/crypto/cryptd.ko{,.xz,.zst}}; returns cryptd.ko's path below the root. */
    private String cryptdTree() throws IOException {
        String ko = debian.ko("cryptd");
        Path plain = backing.resolve(ko);
        Files.createDirectories(plain.getParent());
        Files.copy(debian.root().resolve(ko), plain);
        Files.copy(debian.moduleDir().resolve("modules.symbols"),
                backing.resolve("lib/modules").resolve(debian.release()).resolve("modules.symbols"));
        for (Compression c : new Compression[] {Compression.XZ, Compression.ZSTD}) {
            try (InputStream in = Files.newInputStream(plain);
                    OutputStream out = c.compressing(Files.newOutputStream(Path.of(plain + c.moduleSuffix().substring(3))))) {
                in.transferTo(out);
            }
        }
        return ko;
    }

    private static String stat(LiveMount m, String name) throws IOException {
        return Files.readString(m.mnt.resolve(".denyfs/stats")).lines().filter(l -> l.strip().startsWith(name))
                .findFirst().orElseThrow().strip();
    }

    @Test
    void sysModuleCompression_byDefault_namesXz() throws IOException {
        cryptdTree();
        try (LiveMount m = LiveMount.over(backing, "init_ms=0")) {
            assertThat(m.mnt.resolve(".denyfs/sys/module/compression")).content().isEqualTo("xz\n");
            try (var entries = Files.list(m.mnt.resolve(".denyfs/sys/module"))) {
                assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("compression");
            }
        }
    }

    @Test
    void finitModule_compressedFileInTheKernelsFormat_loads() throws IOException {
        String ko = cryptdTree();
        try (LiveMount m = LiveMount.over(backing, "init_ms=0,module_compression=zstd"); Client c = Client.open(m.mnt)) {
            assertThat(m.mnt.resolve(".denyfs/sys/module/compression")).content().isEqualTo("zstd\n");
            assertThat(c.request("finit " + ko + ".zst " + COMPRESSED_FILE)).isEqualTo("ok 0");
            assertThat(m.mnt.resolve(".denyfs/sys/module/cryptd/initstate")).content().isEqualTo("live\n");
            assertThat(stat(m, "Mods failed on decompress")).endsWith("\t0");
        }
    }

    @Test
    void finitModule_compressedFileInAnotherFormat_failsEinval() throws IOException {
        String ko = cryptdTree();
        try (LiveMount m = LiveMount.over(backing, "init_ms=0,module_compression=zstd"); Client c = Client.open(m.mnt)) {
            assertThat(c.request("finit " + ko + ".xz " + COMPRESSED_FILE)).startsWith("err EINVAL");
            assertThat(stat(m, "Mods failed on decompress")).endsWith("\t1");
            assertThat(m.mnt.resolve(".denyfs/sys/module/cryptd")).doesNotExist();
        }
    }

    @Test
    void finitModule_kernelWithoutModuleDecompress_failsEopnotsuppAndShowsNoCompressionFile() throws IOException {
        String ko = cryptdTree();
        try (LiveMount m = LiveMount.over(backing, "init_ms=0,module_compression=none"); Client c = Client.open(m.mnt)) {
            assertThat(m.mnt.resolve(".denyfs/sys/module/compression")).doesNotExist();
            assertThat(c.request("finit " + ko + ".xz " + COMPRESSED_FILE)).startsWith("err EOPNOTSUPP");
            assertThat(c.request("finit " + ko)).as("an uncompressed module still loads").isEqualTo("ok 0");
        }
    }

    /** A distribution that compresses every module still gives the emulated kernel its vermagic and key. */
    @Test
    void kernelTree_onlyCompressedModules_takesVermagicAndSigningKeyFromThem() throws IOException {
        String ko = cryptdTree();
        KernelTree plain = KernelTree.discover(backing, null);
        Files.delete(backing.resolve(ko));
        KernelTree compressed = KernelTree.discover(backing, null);
        assertThat(compressed.vermagic()).isEqualTo(plain.vermagic());
        assertThat(compressed.signingKeys()).isEqualTo(plain.signingKeys()).isNotEmpty();
    }

    /** denyfs insmod, kmod 31+: finit_module with the flag for the kernel's format, init_module of the decompressed image else. */
    @Test
    void insmod_compressedFile_finitForTheKernelsFormat_initForAnother() throws IOException {
        String ko = cryptdTree();
        try (LiveMount m = LiveMount.over(backing, "init_ms=0,module_compression=xz")) {
            Loader insmod = Loader.open(m.mnt, null, List.of(), QUIET);
            assertThat(insmod.insertFile(m.mnt.resolve(ko + ".xz"), "", 0)).isZero();
            assertThat(insmod.remove("cryptd", false, false)).isZero();
            assertThat(insmod.insertFile(m.mnt.resolve(ko + ".zst"), "", 0)).isZero();
            List<String> calls = Files.readAllLines(m.mnt.resolve(".denyfs/calls"));
            assertThat(calls).anyMatch(l -> l.startsWith("finit_module\tcryptd.ko.xz\t0\t1\t"));
            assertThat(calls).noneMatch(l -> l.startsWith("finit_module\tcryptd.ko.zst"));
            assertThat(calls).anyMatch(l -> l.startsWith("init_module\t") && l.contains("\t0\t1\t"));
        }
    }

    private static final Log QUIET = new Log() {
        @Override
        public void log(int priority, String message) {
        }

        @Override
        public void out(String text) {
        }

        @Override
        public void stderr(String text) {
        }
    };
}

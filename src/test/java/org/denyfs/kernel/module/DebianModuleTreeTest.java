package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.denyfs.core.Errno;
import org.denyfs.image.ModuleImage;
import org.denyfs.image.ModuleSignature;
import org.denyfs.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real Debian modules, with kmod's modinfo, depmod's modules.symbols and binutils' nm as oracles.
 * Opt-in: prepare a tree with scripts/prepare-module-tree.sh DIR and run with
 * DENYFS_MODTREE=DIR.
 */
@EnabledIfEnvironmentVariable(named = "DENYFS_MODTREE", matches = ".+")
class DebianModuleTreeTest {
    /** The CPU-feature modules every udev worker loaded in REFERENCE section 7. */
    private static final List<String> CPU_MODULES = List.of("crc32c-intel", "cryptd", "crypto_simd", "aesni-intel",
            "ghash-clmulni-intel", "sha1-ssse3", "sha256-ssse3", "sha512-ssse3");

    private static Path modules;
    private static String kver;

    @BeforeAll
    static void prepare() throws IOException {
        Path tree = Path.of(System.getenv("DENYFS_MODTREE"));
        Path script = Path.of("scripts/prepare-module-tree.sh");
        Fixtures.run(List.of("bash", script.toString(), tree.toString()));
        String[] pkg = Files.readString(tree.resolve("PACKAGE")).trim().split(" ");
        kver = pkg[2];
        modules = tree.resolve("root/lib/modules").resolve(kver);
    }

    private static Path ko(String file) throws IOException {
        try (Stream<Path> s = Files.walk(modules.resolve("kernel"))) {
            return s.filter(p -> p.getFileName().toString().matches(file.replace("-", "[-_]") + "\\.ko(\\..*)?"))
                    .findFirst().orElseThrow(() -> new AssertionError(file + " not in " + modules));
        }
    }

    private static String modinfo(String field, Path ko) throws IOException {
        return Fixtures.run(List.of("modinfo", "-F", field, ko.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"crc32c-intel", "cryptd", "crypto_simd", "aesni-intel", "ghash-clmulni-intel",
        "sha1-ssse3", "sha256-ssse3", "sha512-ssse3"})
    void parse_cpuFeatureModule_agreesWithModinfoDepmodAndNm(String file) throws IOException {
        Path ko = ko(file);
        ModuleImage img = ModuleImage.read(ko);

        for (String field : List.of("name", "depends", "vermagic", "license", "intree", "retpoline")) {
            assertThat(img.modinfoValue(field) + "\n").as(field).isEqualTo(modinfo(field, ko));
        }
        StringBuilder aliases = new StringBuilder();
        img.modinfo("alias").forEach(a -> aliases.append(a).append('\n'));
        assertThat(aliases.toString()).isEqualTo(modinfo("alias", ko));
        ModuleSignature sig = img.signature().orElseThrow();
        assertThat(sig.signer() + "\n").isEqualTo(modinfo("signer", ko));
        assertThat(sig.sigKey() + "\n").isEqualTo(modinfo("sig_key", ko));
        assertThat(sig.hashAlgo() + "\n").isEqualTo(modinfo("sig_hashalgo", ko));
        assertThat(sig.signature()).isEqualTo(modinfo("signature", ko).replaceAll("\\s", ""));

        Set<String> depmodExports = new TreeSet<>();
        for (String line : Files.readAllLines(modules.resolve("modules.symbols"))) {
            String[] f = line.split(" ");
            if (f.length == 3 && f[2].equals(img.name())) {
                depmodExports.add(f[1].substring("symbol:".length()));
            }
        }
        Set<String> exports = img.exports().stream().map(ModuleImage.Export::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(exports).isEqualTo(depmodExports);

        Set<String> nmUndefined = new TreeSet<>();
        for (String line : Fixtures.run(List.of("nm", "-u", ko.toString())).split("\n")) {
            String t = line.trim();
            if (t.startsWith("U ")) {
                nmUndefined.add(t.substring(2));
            }
        }
        assertThat(new TreeSet<>(img.undefinedSymbols())).isEqualTo(nmUndefined);
        assertThat(img.sizeWithoutSignature()).isEqualTo(Files.size(ko) - sigBytes(sig));
    }

    private static long sigBytes(ModuleSignature sig) {
        return sig.length() + 12 + ModuleSignature.MARKER.length();
    }

    @Test
    void finitModule_aesniChain_loadsWithDependenciesAndUsedBy() throws IOException {
        Modules m = kernel();
        ModuleFile aesni = open("aesni-intel");
        assertThat(TestKernel.errnoOf(() -> m.finitModule(aesni, "", 0))).isEqualTo(Errno.ENOENT);
        for (String dep : List.of("cryptd", "crypto_simd", "aesni-intel")) { // modprobe aesni_intel
            m.finitModule(open(dep), "", 0);
        }
        long simdSize = ModuleImage.read(ko("crypto_simd")).coreSize();
        assertThat(m.procModules()).contains("crypto_simd " + simdSize + " 1 aesni_intel, Live 0x0000000000000000\n");
        assertThat(m.holders("cryptd")).contains(List.of("crypto_simd"));
        assertThat(TestKernel.errnoOf(() -> m.deleteModule("cryptd", Modules.O_NONBLOCK))).isEqualTo(Errno.EWOULDBLOCK);
    }

    @Test
    void finitModule_serialDuplicateOfCryptd_wastesItsSizeWithoutSignature() throws IOException {
        Modules m = kernel();
        FakeInode cryptd = new FakeInode(Files.readAllBytes(ko("cryptd")));
        m.finitModule(cryptd.open(), "", 0);
        assertThat(TestKernel.errnoOf(() -> m.finitModule(cryptd.open(), "", 0))).isEqualTo(Errno.EEXIST);
        long len = ModuleImage.read(ko("cryptd")).sizeWithoutSignature();
        assertThat(m.wastedBytes()).isEqualTo(len);
        assertThat(m.stats()).contains(String.format("%25s\t%15d\t%25s\n", "cryptd", 1, "Becoming"));
    }

    /** A kernel like the tree's: its vermagic, and whatever no module of the tree exports is in vmlinux. */
    private static Modules kernel() throws IOException {
        Set<String> moduleExports = new HashSet<>();
        for (String line : Files.readAllLines(modules.resolve("modules.symbols"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length == 3) {
                moduleExports.add(f[1].substring("symbol:".length()));
            }
        }
        ModuleImage cryptd = ModuleImage.read(ko("cryptd"));
        // a distribution kernel holds its own signing key, as the daemon's KernelTree gives it
        return Modules.builder().vermagic(cryptd.vermagic()).vmlinux(VmlinuxSymbols.allExcept(moduleExports))
                .trustedKeys(Set.of(cryptd.signature().orElseThrow().sigKey()))
                .initDuration(java.time.Duration.ZERO).build();
    }

    private static ModuleFile open(String file) throws IOException {
        return new FakeInode(Files.readAllBytes(ko(file))).open();
    }

    /** The Debian facts this test found, for the record. */
    @Test
    void tree_cpuModules_arePresent() throws IOException {
        List<String> found = new ArrayList<>();
        for (String f : CPU_MODULES) {
            found.add(modules.relativize(ko(f)).toString());
        }
        assertThat(found).hasSize(CPU_MODULES.size());
        assertThat(kver).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"crc32c-intel", "cryptd", "crypto_simd", "aesni-intel", "ghash-clmulni-intel",
        "sha1-ssse3", "sha256-ssse3", "sha512-ssse3"})
    void moduleSigCheck_debiansSignature_parsesStrictly_andNamesItsKey(String name) throws IOException {
        byte[] file = Files.readAllBytes(ko(name));
        ModuleSignature sig = ModuleImage.parse(file).signature().orElseThrow();
        java.nio.ByteBuffer image = java.nio.ByteBuffer.wrap(file);
        assertThat(ModuleSigCheck.check(image, 0, Set.of(sig.sigKey())))
                .isEqualTo(new ModuleSigCheck.Result(file.length - (int) sigBytes(sig), true));
        assertThat(ModuleSigCheck.check(image, 0, Set.of()).sigOk()).as("ENOKEY: loads, tainted").isFalse();
    }
}

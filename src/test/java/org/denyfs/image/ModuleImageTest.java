package org.denyfs.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.testing.Compressed;
import org.denyfs.testing.Fixtures;
import org.denyfs.testing.SignedImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleImageTest {
    @Test
    void parse_libraryModule_readsNameModinfoAndExports() {
        ModuleImage img = ModuleImage.parse(Fixtures.base());

        assertThat(img.name()).isEqualTo("fx_base");
        assertThat(img.modinfoValue("name")).isEqualTo("fx_base");
        assertThat(img.vermagic()).isEqualTo(Fixtures.VERMAGIC);
        assertThat(img.license()).isEqualTo("GPL");
        assertThat(img.modinfo("alias")).containsExactly("fx-base");
        assertThat(img.modinfo("parmtype")).containsExactly("depth:uint");
        assertThat(img.depends()).isEmpty();
        assertThat(img.modinfo()).contains(Map.entry("description", "denyfs test fixture: a library"));
        assertThat(img.exports()).containsExactlyInAnyOrder(
                new ModuleImage.Export("fx_base_fn", true, "", 0x1111aaaaL),
                new ModuleImage.Export("fx_base_data", false, "", -1),
                new ModuleImage.Export("fx_ns_fn", true, "FX_NS", -1));
        assertThat(img.undefinedSymbols()).containsExactly("_printk");
        assertThat(img.hasInit()).isTrue();
        assertThat(img.hasExit()).isTrue();
        assertThat(img.signature()).isEmpty();
        assertThat(img.sizeWithoutSignature()).isEqualTo(img.fileSize());
    }

    @Test
    void parse_userModule_readsDependsAndVersions() {
        ModuleImage img = ModuleImage.parse(Fixtures.user("fx_user"));

        assertThat(img.depends()).containsExactly("fx_base");
        assertThat(img.undefinedSymbols()).containsExactlyInAnyOrder("fx_base_fn", "_printk");
        assertThat(img.versions()).containsExactly(
                new ModuleImage.Version("module_layout", 0x12345678L),
                new ModuleImage.Version("fx_base_fn", 0x1111aaaaL),
                new ModuleImage.Version("_printk", 0x9abcdef0L));
        assertThat(img.exports()).isEmpty();
    }

    @Test
    void parse_fixture_agreesWithKmodModinfo(@TempDir Path dir) throws Exception {
        Path ko = dir.resolve("fx_user.ko");
        Files.write(ko, Fixtures.user("fx_user"));
        ModuleImage img = ModuleImage.parse(Files.readAllBytes(ko));

        for (String field : List.of("name", "depends", "vermagic", "license", "description")) {
            String kmod = Fixtures.run(List.of("modinfo", "-F", field, ko.toString()));
            assertThat(img.modinfoValue(field) + "\n").as(field).isEqualTo(kmod);
        }
    }

    @Test
    void parse_inMemorySizes_arePageAlignedAndSplitTextFromInit() {
        ModuleImage img = ModuleImage.parse(Fixtures.base());

        // text, rodata (__ksymtab*, .modinfo excluded), data (this_module): one page each; init text: one page
        assertThat(img.coreSize()).isEqualTo(3 * 4096);
        assertThat(img.initSize()).isEqualTo(4096);
        assertThat(img.textSize()).isEqualTo(2 * 4096);
        assertThat(img.totalSize()).isEqualTo(4 * 4096);
    }

    @Test
    void parse_signedModule_stripsSignatureAndReadsSigner() {
        byte[] plain = Fixtures.base();
        ModuleImage img = ModuleImage.parse(SignedImages.sign(plain));

        assertThat(img.sizeWithoutSignature()).isEqualTo(plain.length);
        assertThat(img.fileSize()).isEqualTo(plain.length + SignedImages.signatureBytes());
        ModuleSignature sig = img.signature().orElseThrow();
        assertThat(sig.idType()).isEqualTo("PKCS#7");
        assertThat(sig.signer()).isEqualTo(SignedImages.SIGNER);
        assertThat(sig.sigKey()).isEqualTo("9A:12:34");
        assertThat(sig.hashAlgo()).isEqualTo("sha256");
        assertThat(sig.signature()).isEqualTo("0B:AD:C0:DE");
        assertThat(img.name()).isEqualTo("fx_base");
    }

    @Test
    void parse_signatureLongerThanModule_isReadAsUnsignedAsKmodReadsIt() {
        // modinfo skips a signature whose struct is impossible; the kernel's EBADMSG is ModuleSigCheck's
        byte[] signed = SignedImages.sign(Fixtures.base());
        int lenAt = signed.length - ModuleSignature.MARKER.length() - 4;
        ByteBuffer.wrap(signed).putInt(lenAt, signed.length);

        ModuleImage img = ModuleImage.parse(signed);
        assertThat(img.signature()).isEmpty();
        assertThat(img.name()).isEqualTo("fx_base");
    }

    @Test
    void parse_nonElf_failsEnoexec() {
        assertEnoexec("#!/bin/sh\necho not a module, but long enough to pass the size check ....\n"
                .getBytes(StandardCharsets.US_ASCII), "magic");
    }

    @Test
    void parse_truncatedSectionHeaders_failsEnoexec() {
        byte[] img = Fixtures.base();
        assertEnoexec(Arrays.copyOf(img, img.length - 100), "section header overflow");
    }

    @Test
    void parse_shorterThanElfHeader_failsEnoexec() {
        assertEnoexec(Arrays.copyOf(Fixtures.base(), 40), "header len");
    }

    @Test
    void parse_withoutThisModuleSection_failsEnoexec() {
        byte[] img = Fixtures.base();
        replace(img, ".gnu.linkonce.this_module", ".gnu.linkonce.that_module");
        assertEnoexec(img, ".gnu.linkonce.this_module");
    }

    @Test
    void parse_modinfoNameDiffersFromThisModule_failsEnoexec() {
        byte[] img = Fixtures.base();
        replace(img, "name=fx_base", "name=fx_bass");
        assertEnoexec(img, "fx_bass");
    }

    @Test
    void read_xzCompressedFile_decompressesByMagic(@TempDir Path dir) throws Exception {
        Path ko = dir.resolve("fx_base.ko.xz");
        Files.write(ko, Compressed.xz(Fixtures.base()));

        assertThat(ModuleImage.read(ko).name()).isEqualTo("fx_base");
    }

    /** Whatever the damage, parsing ends in a module or in ENOEXEC, never in another exception. */
    @Property(tries = 300)
    void parse_damagedImage_failsOnlyWithEnoexec(@ForAll @IntRange(min = 0, max = 4999) int cut,
                                                 @ForAll @IntRange(min = 0, max = 4999) int at,
                                                 @ForAll byte value) {
        byte[] img = Fixtures.base();
        img[at % img.length] = value;
        byte[] damaged = Arrays.copyOf(img, Math.min(img.length, cut));

        Throwable t = catchThrowable(() -> ModuleImage.parse(damaged));

        if (t != null) {
            assertThat(t).isInstanceOf(ErrnoException.class);
            assertThat(((ErrnoException) t).errno()).isEqualTo(Errno.ENOEXEC);
        }
    }

    static void assertEnoexec(byte[] img, String messagePart) {
        assertThatThrownBy(() -> ModuleImage.parse(img))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOEXEC))
                .hasMessageContaining(messagePart);
    }

    static void replace(byte[] img, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + f.length <= img.length; i++) {
            for (int j = 0; j < f.length; j++) {
                if (img[i + j] != f[j]) {
                    continue outer;
                }
            }
            System.arraycopy(t, 0, img, i, t.length);
            return;
        }
        throw new AssertionError(from + " not found");
    }
}

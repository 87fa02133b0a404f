package org.denyfs.bench.herd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The shape of the generated module tree: Debian's CPU crypto set, its links and aliases. */
class GeneratedModuleTreeTest {
    private static final Map<String, GeneratedModuleTree.Spec> BY_NAME = GeneratedModuleTree.CPU_CRYPTO.stream()
            .collect(Collectors.toMap(GeneratedModuleTree.Spec::name, Function.identity()));
    private static final Map<String, GeneratedModuleTree.Spec> BY_EXPORT = GeneratedModuleTree.CPU_CRYPTO.stream()
            .flatMap(s -> s.exports().stream().map(e -> Map.entry(e, s)))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

    @Test
    void dependencies_aesniAndGhashShareCryptd_directOnesFirst() {
        assertThat(GeneratedModuleTree.dependencies(BY_NAME.get("aesni_intel"), BY_EXPORT, true))
                .containsExactly("crypto_simd", "cryptd");
        assertThat(GeneratedModuleTree.dependencies(BY_NAME.get("ghash_clmulni_intel"), BY_EXPORT, true))
                .containsExactly("cryptd");
        assertThat(GeneratedModuleTree.dependencies(BY_NAME.get("sha512_ssse3"), BY_EXPORT, false))
                .containsExactly("sha512_generic");
        assertThat(GeneratedModuleTree.dependencies(BY_NAME.get("cryptd"), BY_EXPORT, true)).isEmpty();
    }

    @Test
    void files_namedAsKbuildNamesThem() {
        assertThat(BY_NAME.get("aesni_intel").file()).isEqualTo("kernel/arch/x86/crypto/aesni-intel.ko");
        assertThat(BY_NAME.get("sha512_generic").file()).isEqualTo("kernel/crypto/sha512_generic.ko");
        assertThat(BY_NAME.get("crypto_simd").file()).isEqualTo("kernel/crypto/crypto_simd.ko");
    }

    @Test
    void source_exportsUsesAliasesAndPadsToTheRealSize() {
        String c = GeneratedModuleTree.source(BY_NAME.get("ghash_clmulni_intel"), BY_EXPORT);
        assertThat(c).contains("extern int cryptd_alloc_ahash(int x);", "MODULE_ALIAS(\"cpu:type:x86,ven*fam*mod*:feature:*0081*\")",
                "MODULE_BOILERPLATE(\"cryptd\")", "padding[" + (20209 - 4096) + "]");
        assertThat(GeneratedModuleTree.source(BY_NAME.get("cryptd"), BY_EXPORT))
                .contains("EXPORT_SYMBOL_GPL(cryptd_alloc_ahash);", "MODULE_BOILERPLATE(\"\")");
    }
}

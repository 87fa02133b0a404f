package org.denyfs.bench.herd;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.denyfs.bench.harness.Exec;
import org.denyfs.bench.harness.Executables;

/**
 * A module tree of the same shape as Debian's CPU-feature crypto modules, built here with gcc and
 * ld when Debian's kernel package cannot be had: the same names, files, CPU-feature aliases,
 * dependencies (aesni_intel and ghash_clmulni_intel share cryptd; sha512_ssse3 needs
 * sha512_generic) and sizes on disk (padded with read-only data), so a herd loads as much from it.
 * depmod's index files are written directly, and rebuilt by depmod itself where kmod is installed
 * (real kmod's modprobe needs its .bin indexes).
 */
final class GeneratedModuleTree {
    static final String RELEASE = "6.1.0-denyfs-generated";
    static final String MARKER = "GENERATED";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(2);
    private static final String CRYPTO = "kernel/crypto";
    private static final String X86 = "kernel/arch/x86/crypto";
    private static final List<String> SHA_FEATURES = List.of("0089", "009C", "0125");

    /** One module: where it lives, what it exports and uses, the CPU features that load it, its size on disk. */
    record Spec(String name, String dir, List<String> exports, List<String> uses, List<String> features, int bytes) {
        String file() {
            // kbuild names files after the source: '-' where the module name has '_', for most of these
            return dir + "/" + (name.endsWith("_generic") || name.equals("crypto_simd") ? name : name.replace('_', '-')) + ".ko";
        }
    }

    /** Debian 6.1's CPU crypto set (linux-image-6.1.0-57-cloud-amd64): names, links and sizes as there. */
    static final List<Spec> CPU_CRYPTO = List.of(
            new Spec("cryptd", CRYPTO, List.of("cryptd_alloc_ahash", "cryptd_ahash_child", "cryptd_alloc_skcipher",
                    "cryptd_skcipher_child", "cryptd_alloc_aead"), List.of(), List.of(), 47953),
            new Spec("crypto_simd", CRYPTO, List.of("simd_skcipher_create_compat", "simd_register_skciphers_compat",
                    "simd_register_aeads_compat"), List.of("cryptd_alloc_skcipher", "cryptd_alloc_aead"), List.of(), 22257),
            new Spec("aesni_intel", X86, List.of(), List.of("simd_register_skciphers_compat", "simd_register_aeads_compat",
                    "cryptd_skcipher_child"), List.of("0099"), 535177),
            new Spec("ghash_clmulni_intel", X86, List.of(), List.of("cryptd_alloc_ahash", "cryptd_ahash_child"),
                    List.of("0081"), 20209),
            new Spec("sha1_ssse3", X86, List.of(), List.of(), SHA_FEATURES, 44041),
            new Spec("sha256_ssse3", X86, List.of(), List.of(), SHA_FEATURES, 46577),
            new Spec("sha512_generic", CRYPTO, List.of("crypto_sha512_update", "crypto_sha512_finup"), List.of(), List.of(),
                    17937),
            new Spec("sha512_ssse3", X86, List.of(), List.of("crypto_sha512_update", "crypto_sha512_finup"), SHA_FEATURES,
                    62841),
            new Spec("crc32c_intel", X86, List.of(), List.of(), List.of("0094"), 29281),
            new Spec("crc32_pclmul", X86, List.of(), List.of(), List.of("0081"), 13113),
            new Spec("crct10dif_pclmul", X86, List.of(), List.of(), List.of("0081"), 13921));

    private GeneratedModuleTree() {
    }

    /**
     * Builds the tree under {@code dir} (dir/root/lib/modules/RELEASE) unless a finished one is there,
     * and returns it.
     */
    static Tree ensure(Path dir, Exec exec, PrintWriter progress) throws IOException {
        Path root = dir.resolve("root");
        Path marker = dir.resolve(MARKER);
        String origin = "a generated tree of Debian's CPU crypto modules' shape (" + CPU_CRYPTO.size() + " modules, in "
                + dir + ")";
        if (Files.isRegularFile(marker)) {
            return new Tree(root, RELEASE, origin);
        }
        progress.println("building a module tree of Debian's shape in " + dir + " with gcc and ld ("
                + CPU_CRYPTO.size() + " modules)...");
        progress.flush();
        Path moduleDir = root.resolve("lib/modules").resolve(RELEASE);
        Path build = Files.createDirectories(dir.resolve("build"));
        copyResource("module.h", build);
        copyResource("module.lds", build);
        Map<String, Spec> byExport = CPU_CRYPTO.stream().flatMap(s -> s.exports().stream().map(e -> Map.entry(e, s)))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        for (Spec s : CPU_CRYPTO) {
            Path c = Files.writeString(build.resolve(s.name() + ".c"), source(s, byExport));
            Path o = build.resolve(s.name() + ".o");
            Path ko = moduleDir.resolve(s.file());
            Files.createDirectories(ko.getParent());
            run(exec, List.of("gcc", "-c", "-O1", "-fno-common", "-fno-pic", "-fno-stack-protector",
                    "-fno-asynchronous-unwind-tables", "-fcf-protection=none", "-I" + build, "-DINTREE",
                    "-DKBUILD_MODNAME=\"" + s.name() + "\"", "-DFIXTURE_VERMAGIC=\"" + RELEASE
                            + " SMP preempt mod_unload modversions \"", "-o", o.toString(), c.toString()));
            run(exec, List.of("ld", "-r", "-T", build.resolve("module.lds").toString(), "-o", ko.toString(), o.toString()));
        }
        writeIndexes(moduleDir, byExport);
        if (Executables.onPath("depmod").isPresent()) {
            run(exec, List.of("depmod", "-b", root.toString(), RELEASE));
        }
        Files.writeString(marker, "generated " + RELEASE + "\n");
        return new Tree(root, RELEASE, origin);
    }

    /** A module exporting functions and calling, from its init, one function of each module it depends on. */
    static String source(Spec s, Map<String, Spec> byExport) {
        StringBuilder c = new StringBuilder("/* generated by denyfs bench herd: a stand-in for " + s.name() + " */\n"
                + "#include \"module.h\"\n\n");
        for (String e : s.exports()) {
            c.append("int ").append(e).append("(int x)\n{\n    return x + 1;\n}\nEXPORT_SYMBOL_GPL(").append(e).append(");\n")
                    .append("SYMBOL_CRC(").append(e).append(", ").append(crc(e)).append(", \"_gpl\");\n\n");
        }
        for (String u : s.uses()) {
            c.append("extern int ").append(u).append("(int x);\n");
        }
        c.append("\nstatic int __init gen_init(void)\n{\n    int r = 0;\n");
        for (String u : s.uses()) {
            c.append("    r += ").append(u).append("(0) - 1;\n");
        }
        c.append("    return r;\n}\nint init_module(void) __attribute__((alias(\"gen_init\")));\n\n")
                .append("static void __exit gen_exit(void)\n{\n}\nvoid cleanup_module(void) __attribute__((alias(\"gen_exit\")));\n\n");
        // read-only data to reach the real module's size on disk: what a herd reads and wastes
        c.append("static const char padding[").append(Math.max(1, s.bytes() - 4096)).append("] __attribute__((used)) = {1};\n\n");
        List<String> versions = new ArrayList<>(List.of("{0x12345678, \"module_layout\"}"));
        s.uses().forEach(u -> versions.add("{" + crc(u) + ", \"" + u + "\"}"));
        c.append("MODULE_VERSIONS(").append(String.join(", ", versions)).append(");\n");
        for (String f : s.features()) {
            c.append("MODULE_ALIAS(\"").append(alias(f)).append("\");\n");
        }
        c.append("MODULE_DESCRIPTION(\"denyfs herd stand-in for ").append(s.name()).append("\");\n")
                .append("MODULE_LICENSE(\"GPL\");\n")
                .append("MODULE_BOILERPLATE(\"").append(String.join(",", dependencies(s, byExport, false))).append("\");\n");
        return c.toString();
    }

    /** depmod's files, as text: what the Java loader reads (depmod, where installed, adds the .bin indexes libkmod needs). */
    private static void writeIndexes(Path moduleDir, Map<String, Spec> byExport) throws IOException {
        StringBuilder dep = new StringBuilder();
        StringBuilder alias = new StringBuilder("# Aliases extracted from modules themselves.\n");
        StringBuilder symbols = new StringBuilder("# Aliases for symbols, used by symbol_request().\n");
        StringBuilder order = new StringBuilder();
        Map<String, Spec> byName = CPU_CRYPTO.stream().collect(Collectors.toMap(Spec::name, Function.identity()));
        for (Spec s : CPU_CRYPTO) {
            dep.append(s.file()).append(':');
            for (String d : dependencies(s, byExport, true)) {
                dep.append(' ').append(byName.get(d).file());
            }
            dep.append('\n');
            s.features().forEach(f -> alias.append("alias ").append(alias(f)).append(' ').append(s.name()).append('\n'));
            s.exports().forEach(e -> symbols.append("alias symbol:").append(e).append(' ').append(s.name()).append('\n'));
            order.append(s.file()).append('\n');
        }
        Files.writeString(moduleDir.resolve("modules.dep"), dep);
        Files.writeString(moduleDir.resolve("modules.alias"), alias);
        Files.writeString(moduleDir.resolve("modules.symbols"), symbols);
        Files.writeString(moduleDir.resolve("modules.order"), order);
        Files.writeString(moduleDir.resolve("modules.builtin"), "");
    }

    /** Modules whose exports {@code s} uses, direct ones first, then (with {@code transitive}) theirs, each once. */
    static List<String> dependencies(Spec s, Map<String, Spec> byExport, boolean transitive) {
        Set<String> out = new LinkedHashSet<>();
        List<Spec> todo = new ArrayList<>(List.of(s));
        for (int i = 0; i < todo.size(); i++) {
            for (String u : todo.get(i).uses()) {
                Spec owner = byExport.get(u);
                if (owner != null && out.add(owner.name()) && transitive) {
                    todo.add(owner);
                }
            }
        }
        return List.copyOf(out);
    }

    static String alias(String feature) {
        return "cpu:type:x86,ven*fam*mod*:feature:*" + feature + "*";
    }

    /** A stable stand-in for genksyms' CRC, the same for the exporter and every user. */
    private static String crc(String symbol) {
        return String.format(Locale.ROOT, "0x%08x", symbol.hashCode());
    }

    private static void copyResource(String name, Path dir) throws IOException {
        try (InputStream in = GeneratedModuleTree.class.getResourceAsStream("/moduletree/" + name)) {
            if (in == null) {
                throw new IOException("resource /moduletree/" + name + " is missing from the denyfs build");
            }
            Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    private static void run(Exec exec, List<String> cmd) throws IOException {
        Exec.Result r = exec.run(cmd, BUILD_TIMEOUT);
        if (!r.ok()) {
            throw new IOException("building the generated module tree failed: " + r.describe());
        }
    }
}

package org.denyfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package tree is the architecture (README, "Architecture"), and this test keeps it so: it
 * reads every source file under src/main/java, its package and every package it uses (imports and
 * fully qualified names in code), and fails on a use the tree does not allow.
 * <ul>
 *   <li>Two sides, cut at the ABI: the kernel side (the daemon, {@code org.denyfs.kernel...}) and the
 *       user side (the clients, {@code org.denyfs.user...}) never use each other.</li>
 *   <li>Shared leaves ({@code core}, {@code image}, {@code abi}) use only leaves below them.</li>
 *   <li>Inside a side, layers point one way, top to bottom, as {@link #LAYERS} lists them. The one
 *       call that goes against them by design is core's {@code StaleHolders} hook, and its
 *       implementation (kernel.pending) sits below every caller of core, so no request re-enters
 *       a package it came through.</li>
 *   <li>{@code cli} and {@code bench} sit on top: they may use anything else, nothing uses them
 *       (bench joins cli's table through ServiceLoader), and bench's herd and io share only the harness.</li>
 *   <li>Native bindings stay where the natives are: no leaf uses jnr-ffi or jnr-fuse, and the
 *       user side never uses jnr-fuse.</li>
 * </ul>
 * A package missing from {@link #LAYERS} is itself a failure: a new package takes its place in the
 * tree (and in the README) when it is made.
 */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java");

    /**
     * Each group's packages, top first: a package may use the packages listed after it in its own
     * group (not those at its own rank, given as one "a|b" entry), and the leaves. cli and bench may
     * use every group but each other.
     */
    static final Map<String, List<String>> LAYERS = new LinkedHashMap<>();

    static {
        LAYERS.put("cli", List.of("org.denyfs.cli"));
        LAYERS.put("bench", List.of("org.denyfs.bench", "org.denyfs.bench.herd|org.denyfs.bench.io", "org.denyfs.bench.harness"));
        LAYERS.put("kernel", List.of("org.denyfs.kernel", "org.denyfs.kernel.fuse", "org.denyfs.kernel.control",
                "org.denyfs.kernel.passthrough", "org.denyfs.kernel.module|org.denyfs.kernel.pending", "org.denyfs.kernel.natives"));
        LAYERS.put("user", List.of("org.denyfs.user.kmod", "org.denyfs.user.client"));
        LAYERS.put("leaf", List.of("org.denyfs.image|org.denyfs.abi", "org.denyfs.core"));
    }

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern USE = Pattern.compile("(?<![\\w.])((?:org\\.denyfs|ru\\.serce\\.jnrfuse|jnr\\.ffi|com\\.kenai)(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** One use of a package by a source file. */
    record Use(String file, int line, String from, String to) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + from + " uses " + to;
        }
    }

    @Test
    void everyPackage_hasItsPlaceInTheTree() throws IOException {
        List<String> unplaced = new ArrayList<>();
        for (Use u : uses(sources())) {
            if (group(u.from()) == null && !unplaced.contains(u.from())) {
                unplaced.add(u.from());
            }
        }
        for (Map.Entry<String, String> f : sources().entrySet()) {
            String pkg = packageOf(f.getValue());
            if (group(pkg) == null && !unplaced.contains(pkg)) {
                unplaced.add(pkg);
            }
        }
        assertThat(unplaced).as("packages not in ArchitectureTest.LAYERS (nor in the README's tree)").isEmpty();
    }

    @Test
    void everyUse_followsTheTree() throws IOException {
        assertThat(violations(uses(sources()))).as("uses the package tree does not allow").isEmpty();
    }

    /** The rules can fail: each kind of forbidden use, written out, is caught. */
    @Test
    void violations_ofEachRule_areReported() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("user/kmod/A.java", "package org.denyfs.user.kmod;\nimport org.denyfs.kernel.module.Modules;\n");
        bad.put("kernel/passthrough/B.java", "package org.denyfs.kernel.passthrough;\nimport org.denyfs.user.client.Client;\n");
        bad.put("kernel/module/C.java", "package org.denyfs.kernel.module;\n\nclass C { Object o = org.denyfs.kernel.fuse.FuseOps.class; }\n");
        bad.put("core/D.java", "package org.denyfs.core;\nimport org.denyfs.image.ModuleImage;\nimport jnr.ffi.Pointer;\n");
        bad.put("kernel/E.java", "package org.denyfs.kernel;\nimport org.denyfs.cli.Main;\n");
        bad.put("cli/F.java", "package org.denyfs.cli;\nimport org.denyfs.bench.Bench;\n");
        bad.put("bench/herd/G.java", "package org.denyfs.bench.herd;\nimport org.denyfs.bench.io.IoBench;\n");
        bad.put("user/client/H.java", "package org.denyfs.user.client;\nimport ru.serce.jnrfuse.FuseStubFS;\n");
        bad.put("kernel/natives/I.java", "package org.denyfs.kernel.natives;\n// org.denyfs.user.client.Client in a comment is no use\n"
                + "class I { String s = \"org.denyfs.cli.Main\"; }\n");
        List<String> found = violations(uses(bad)).stream().map(Use::toString).toList();
        assertThat(found).containsExactly(
                "user/kmod/A.java:2: org.denyfs.user.kmod uses org.denyfs.kernel.module",
                "kernel/passthrough/B.java:2: org.denyfs.kernel.passthrough uses org.denyfs.user.client",
                "kernel/module/C.java:3: org.denyfs.kernel.module uses org.denyfs.kernel.fuse",
                "core/D.java:2: org.denyfs.core uses org.denyfs.image",
                "core/D.java:3: org.denyfs.core uses jnr.ffi",
                "kernel/E.java:2: org.denyfs.kernel uses org.denyfs.cli",
                "cli/F.java:2: org.denyfs.cli uses org.denyfs.bench",
                "bench/herd/G.java:2: org.denyfs.bench.herd uses org.denyfs.bench.io",
                "user/client/H.java:2: org.denyfs.user.client uses ru.serce.jnrfuse");
    }

    /** The uses the tree does not allow. */
    static List<Use> violations(List<Use> uses) {
        List<Use> bad = new ArrayList<>();
        for (Use u : uses) {
            if (!allowed(u.from(), u.to())) {
                bad.add(u);
            }
        }
        return bad;
    }

    static boolean allowed(String from, String to) {
        if (from.equals(to)) {
            return true;
        }
        String fromGroup = group(from);
        boolean leaf = "leaf".equals(fromGroup);
        if (!to.startsWith("org.denyfs")) {
            // native bindings: never in a leaf; jnr-fuse never on the user side
            return !leaf && !(to.startsWith("ru.serce.jnrfuse") && "user".equals(fromGroup));
        }
        String toGroup = group(to);
        if (fromGroup == null || toGroup == null) {
            return false;
        }
        if (fromGroup.equals(toGroup)) {
            return rank(from) < rank(to);
        }
        if ("leaf".equals(toGroup)) {
            return true;
        }
        // cli and bench sit on top of both sides, and of neither each other
        return (fromGroup.equals("cli") || fromGroup.equals("bench")) && !toGroup.equals("cli") && !toGroup.equals("bench");
    }

    static String group(String pkg) {
        for (Map.Entry<String, List<String>> g : LAYERS.entrySet()) {
            if (rankIn(g.getValue(), pkg) >= 0) {
                return g.getKey();
            }
        }
        return null;
    }

    private static int rank(String pkg) {
        return rankIn(LAYERS.get(group(pkg)), pkg);
    }

    private static int rankIn(List<String> layers, String pkg) {
        for (int i = 0; i < layers.size(); i++) {
            if (List.of(layers.get(i).split("\\|")).contains(pkg)) {
                return i;
            }
        }
        return -1;
    }

    /** Every source file under src/main/java, by its path there. */
    private static Map<String, String> sources() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(SOURCES)) {
            for (Path p : all.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                files.put(SOURCES.relativize(p).toString(), Files.readString(p));
            }
        }
        assertThat(files).as("sources under " + SOURCES.toAbsolutePath()).isNotEmpty();
        return files;
    }

    /** Each file's uses of other packages: imports and qualified names in code, not in comments or strings. */
    static List<Use> uses(Map<String, String> files) {
        List<Use> uses = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            String code = blankCommentsAndStrings(f.getValue());
            String pkg = packageOf(code);
            Matcher m = USE.matcher(code);
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(pkg)) {
                    int line = (int) code.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                    uses.add(new Use(f.getKey(), line, pkg, used));
                }
            }
        }
        return uses;
    }

    private static String packageOf(String source) {
        Matcher m = PACKAGE.matcher(source);
        return m.find() ? m.group(1) : "";
    }

    /** Comments and string literals become spaces (newlines kept, so line numbers stay right). */
    static String blankCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end;
            if (s.startsWith("//", i)) {
                end = s.indexOf('\n', i);
                end = end < 0 ? s.length() : end;
            } else if (s.startsWith("/*", i)) {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? s.length() : end + 3;
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (end < s.length() && s.charAt(end) != c && s.charAt(end) != '\n') {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, s.length());
            } else {
                out.append(c);
                i++;
                continue;
            }
            for (int j = i; j < end; j++) {
                out.append(s.charAt(j) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }
}

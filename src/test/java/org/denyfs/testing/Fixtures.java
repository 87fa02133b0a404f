package org.denyfs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Compiles the C fixtures of src/test/resources/module into .ko-shaped ET_REL objects under
 * target/module-fixtures, once per JVM and set of options: gcc -c against the module.h the herd's
 * generated trees use too (src/main/resources/moduletree), then ld -r with its module.lds.
 * Nothing binary is committed.
 */
public final class Fixtures {
    /** The vermagic module.h puts into every fixture. */
    public static final String VERMAGIC = "6.4.0-rc4 SMP preempt mod_unload modversions ";

    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();
    private static final Path OUT = Path.of("target", "module-fixtures");

    private Fixtures() {}

    public static byte[] base() {
        return build("fx_base", "fx_base");
    }

    public static byte[] user(String name, String... defines) {
        return build("fx_user", name, defines);
    }

    public static byte[] permanent() {
        return build("fx_permanent", "fx_permanent");
    }

    /** Compiles {@code source}.c as module {@code name} with extra -D options. */
    public static byte[] build(String source, String name, String... defines) {
        String key = source + "|" + name + "|" + String.join("|", defines);
        return CACHE.computeIfAbsent(key, k -> compile(source, name, defines)).clone();
    }

    private static byte[] compile(String source, String name, String... defines) {
        try {
            Path res = Path.of(Fixtures.class.getResource("/module/" + source + ".c").toURI()).getParent();
            Path include = Path.of(Fixtures.class.getResource("/moduletree/module.h").toURI()).getParent();
            Files.createDirectories(OUT);
            String stem = name + "-" + Integer.toHexString(String.join(" ", defines).hashCode());
            Path obj = OUT.resolve(stem + ".o");
            Path ko = OUT.resolve(stem + ".ko");
            List<String> cc = new ArrayList<>(List.of("gcc", "-c", "-O1", "-fno-common", "-fno-pic",
                    "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fcf-protection=none",
                    "-I" + include, "-DKBUILD_MODNAME=\"" + name + "\""));
            for (String d : defines) {
                cc.add("-D" + d);
            }
            cc.addAll(List.of("-o", obj.toString(), res.resolve(source + ".c").toString()));
            run(cc);
            run(List.of("ld", "-r", "-T", include.resolve("module.lds").toString(), "-o", ko.toString(), obj.toString()));
            return Files.readAllBytes(ko);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + cmd, e);
        }
        return out;
    }
}

package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * depmod's output for one release, {@code ROOT/lib/modules/RELEASE/}. The pattern lookups (aliases,
 * symbols, built-in aliases) and their {@code modprobe -c} dumps read the binary indexes libkmod
 * reads ({@link IndexFile}), because the trie walk decides the answer's order and its duplicates;
 * a release without them falls back to the text files, matched pattern by pattern in file order.
 * modules.dep, modules.builtin and modules.builtin.modinfo are read as text (the same data as their
 * .bin twins, exact lookups only). Each file is read once, when first needed.
 */
final class ModuleIndex {
    /** One modules.dep line: the module's path (relative to the directory unless absolute) and its
     * dependencies in the line's order (the last one is loaded first). */
    record Dep(String path, List<String> deps) {}

    record Alias(String pattern, String module) {}

    private final Path dir;
    private Map<String, Dep> deps;
    private List<Alias> aliases;
    private Map<String, List<String>> symbols;
    private Set<String> builtin;
    private final Map<String, Optional<IndexFile>> bins = new HashMap<>();

    ModuleIndex(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The modules.dep entry of a module, or null (not a loadable module of this release). */
    Dep dep(String name) throws IOException {
        if (deps == null) {
            deps = readDeps();
        }
        return deps.get(name);
    }

    /** The absolute path of a module's file, or null. */
    Path path(String name) throws IOException {
        Dep d = dep(name);
        return d == null ? null : dir.resolve(d.path());
    }

    /** The binary index FILE.bin, or empty if the release has none. */
    private Optional<IndexFile> bin(String file) throws IOException {
        Optional<IndexFile> b = bins.get(file);
        if (b == null) {
            b = Optional.ofNullable(IndexFile.open(dir.resolve(file + ".bin")));
            bins.put(file, b);
        }
        return b;
    }

    /** Every module whose modules.alias pattern matches {@code alias}, in libkmod's order. */
    List<String> aliasMatches(String alias) throws IOException {
        Optional<IndexFile> b = bin("modules.alias");
        if (b.isPresent()) {
            return b.get().searchWild(alias);
        }
        if (aliases == null) {
            aliases = readAliases();
        }
        List<String> out = new ArrayList<>();
        for (Alias a : aliases) {
            if (Glob.matches(a.pattern(), alias)) {
                out.add(a.module());
            }
        }
        return out;
    }

    /** modules.symbols: the modules exporting {@code symbol:NAME} (exact match). */
    List<String> symbolOwners(String key) throws IOException {
        Optional<IndexFile> b = bin("modules.symbols");
        if (b.isPresent()) {
            return b.get().searchWild(key);
        }
        if (symbols == null) {
            symbols = new HashMap<>();
            for (String line : lines("modules.symbols")) {
                String[] f = line.split("\\s+");
                if (f.length == 3 && f[0].equals("alias")) {
                    symbols.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f[2]);
                }
            }
        }
        return symbols.getOrDefault(key, List.of());
    }

    /** modules.builtin names a module built into the kernel. */
    boolean isBuiltin(String name) throws IOException {
        if (builtin == null) {
            builtin = new HashSet<>();
            for (String line : lines("modules.builtin")) {
                if (!line.isBlank()) {
                    builtin.add(moduleName(line.trim()));
                }
            }
        }
        return builtin.contains(name);
    }

    /** modules.builtin.alias.bin's modules for an alias; null if the release has no such index. */
    List<String> builtinAliasMatches(String alias) throws IOException {
        Optional<IndexFile> b = bin("modules.builtin.alias");
        return b.isPresent() ? b.get().searchWild(alias) : null;
    }

    /** modules.builtin.modinfo: the .modinfo strings of a built-in module, "key=value", in order. */
    List<String> builtinModinfo(String name) throws IOException {
        List<String> out = new ArrayList<>();
        byte[] all;
        try {
            all = Files.readAllBytes(dir.resolve("modules.builtin.modinfo"));
        } catch (NoSuchFileException e) {
            return out;
        }
        String prefix = name + ".";
        int start = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == 0) {
                if (i > start) {
                    String s = new String(all, start, i - start, StandardCharsets.UTF_8);
                    if (s.startsWith(prefix)) {
                        out.add(s.substring(prefix.length()));
                    }
                }
                start = i + 1;
            }
        }
        return out;
    }

    /** modname from a path or file name: basename up to the first '.', '-' as '_' (libkmod's path_to_modname). */
    static String moduleName(String pathOrName) {
        String base = pathOrName.substring(pathOrName.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        if (dot >= 0) {
            base = base.substring(0, dot);
        }
        return base.replace('-', '_');
    }

    /**
     * libkmod's alias_normalize(): '-' becomes '_' except inside a bracket expression; null (libkmod's
     * -EINVAL) for a ']' outside one or a '[' never closed.
     */
    static String normalizeAlias(String alias) {
        StringBuilder out = new StringBuilder(alias.length());
        for (int i = 0; i < alias.length(); i++) {
            char c = alias.charAt(i);
            if (c == ']') {
                return null;
            }
            if (c == '[') {
                int close = alias.indexOf(']', i);
                if (close < 0) {
                    return null;
                }
                out.append(alias, i, close + 1);
                i = close;
                continue;
            }
            out.append(c == '-' ? '_' : c);
        }
        return out.toString();
    }

    /** kmod_dump_index of modules.alias: "alias KEY MODULE", keys in byte order, a key's modules in depmod's order. */
    List<String> dumpAliases() throws IOException {
        Optional<IndexFile> b = bin("modules.alias");
        if (b.isPresent()) {
            return b.get().dump("alias ");
        }
        if (aliases == null) {
            aliases = readAliases();
        }
        List<Alias> sorted = new ArrayList<>(aliases);
        sorted.sort((x, y) -> compareBytes(x.pattern(), y.pattern())); // stable: a key's values keep file order
        List<String> out = new ArrayList<>(sorted.size());
        for (Alias a : sorted) {
            out.add("alias " + a.pattern() + " " + a.module());
        }
        return out;
    }

    /** kmod_dump_index of modules.symbols: "alias symbol:NAME MODULE", in byte order. */
    List<String> dumpSymbols() throws IOException {
        Optional<IndexFile> b = bin("modules.symbols");
        if (b.isPresent()) {
            return b.get().dump("alias ");
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : lines("modules.symbols")) {
            String[] f = line.split("\\s+");
            if (f.length == 3 && f[0].equals("alias")) {
                rows.add(f);
            }
        }
        rows.sort((x, y) -> compareBytes(x[1], y[1]));
        List<String> out = new ArrayList<>(rows.size());
        for (String[] f : rows) {
            out.add("alias " + f[1] + " " + f[2]);
        }
        return out;
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Dep> readDeps() throws IOException {
        Map<String, Dep> m = new LinkedHashMap<>();
        for (String line : lines("modules.dep")) {
            int colon = line.indexOf(':');
            if (colon <= 0 || line.startsWith("#")) {
                continue;
            }
            String path = line.substring(0, colon).trim();
            List<String> ds = new ArrayList<>();
            for (String d : line.substring(colon + 1).trim().split("\\s+")) {
                if (!d.isEmpty()) {
                    ds.add(moduleName(d));
                }
            }
            m.putIfAbsent(moduleName(path), new Dep(path, List.copyOf(ds)));
        }
        return m;
    }

    private List<Alias> readAliases() throws IOException {
        List<Alias> out = new ArrayList<>();
        for (String line : lines("modules.alias")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("alias")) {
                String n = normalizeAlias(f[1]); // depmod indexes aliases normalized, and skips a bad one
                if (n != null) {
                    out.add(new Alias(n, f[2]));
                }
            }
        }
        return out;
    }

    private List<String> lines(String file) throws IOException {
        try {
            return Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}

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
import java.util.Set;

/**
 * depmod's output for one release, {@code ROOT/lib/modules/RELEASE/}, read from the text files
 * (modules.dep, modules.alias, modules.symbols, modules.builtin, modules.builtin.modinfo): the same
 * data libkmod reads from the .bin indexes, in the same order, so lookups give the same answers.
 * Each file is read once, when first needed.
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

    /** Every module whose modules.alias pattern matches {@code alias}, in file (depmod priority) order. */
    List<String> aliasMatches(String alias) throws IOException {
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

    /** libkmod's alias_normalize(): '-' becomes '_' except inside a bracket expression. */
    static String normalizeAlias(String alias) {
        StringBuilder out = new StringBuilder(alias.length());
        boolean bracket = false;
        for (int i = 0; i < alias.length(); i++) {
            char c = alias.charAt(i);
            if (c == '[') {
                bracket = true;
            } else if (c == ']') {
                bracket = false;
            } else if (c == '-' && !bracket) {
                c = '_';
            }
            out.append(c);
        }
        return out.toString();
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
                out.add(new Alias(normalizeAlias(f[1]), f[2])); // depmod indexes aliases normalized
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

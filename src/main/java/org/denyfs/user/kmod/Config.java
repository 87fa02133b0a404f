package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * modprobe.d(5) configuration, as libkmod-config.c reads it: the {@code *.conf} files of the given
 * paths (directories, or files), a file name found in an earlier directory hiding the same name in a
 * later one, all read in file-name order. Understood: {@code alias}, {@code options},
 * {@code blacklist}, {@code softdep} (pre: and post:). {@code install} and {@code remove} commands
 * are ignored: the emulated kernel cannot run them. Lines continue with a trailing backslash.
 */
final class Config {
    record Softdep(List<String> pre, List<String> post) {}

    final List<ModuleIndex.Alias> aliases = new ArrayList<>();
    final Map<String, String> options = new LinkedHashMap<>();
    final Set<String> blacklist = new HashSet<>();
    final Map<String, Softdep> softdeps = new LinkedHashMap<>();

    static Config empty() {
        return new Config();
    }

    /** kmod's default search path, under ROOT (the emulated system's own /etc, /run, /lib). */
    static List<Path> defaultPaths(Path root) {
        return List.of(root.resolve("etc/modprobe.d"), root.resolve("run/modprobe.d"),
                root.resolve("usr/local/lib/modprobe.d"), root.resolve("lib/modprobe.d"));
    }

    static Config read(List<Path> paths) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                        String n = f.getFileName().toString();
                        if (n.endsWith(".conf") && Files.isRegularFile(f)) {
                            files.putIfAbsent(n, f);
                        }
                    }
                }
            } else if (Files.isRegularFile(p)) {
                files.putIfAbsent(p.getFileName().toString(), p);
            }
        }
        Config c = new Config();
        for (Path f : files.values()) {
            c.parse(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        return c;
    }

    void parse(List<String> lines) {
        StringBuilder pending = new StringBuilder();
        for (String raw : lines) {
            if (raw.endsWith("\\")) {
                pending.append(raw, 0, raw.length() - 1).append(' ');
                continue;
            }
            String line = pending.append(raw).toString().trim();
            pending.setLength(0);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "alias":
                    if (f.length >= 3) {
                        aliases.add(new ModuleIndex.Alias(ModuleIndex.normalizeAlias(f[1]), ModuleIndex.moduleName(f[2])));
                    }
                    break;
                case "options":
                    if (f.length >= 3) {
                        String name = ModuleIndex.moduleName(f[1]);
                        String value = line.substring(line.indexOf(f[1]) + f[1].length()).trim();
                        options.merge(name, value, (a, b) -> a + " " + b);
                    }
                    break;
                case "blacklist":
                    if (f.length >= 2) {
                        blacklist.add(ModuleIndex.moduleName(f[1]));
                    }
                    break;
                case "softdep":
                    if (f.length >= 3) {
                        List<String> pre = new ArrayList<>();
                        List<String> post = new ArrayList<>();
                        List<String> into = pre;
                        for (int i = 2; i < f.length; i++) {
                            if (f[i].equals("pre:")) {
                                into = pre;
                            } else if (f[i].equals("post:")) {
                                into = post;
                            } else {
                                into.add(f[i]);
                            }
                        }
                        softdeps.put(ModuleIndex.moduleName(f[1]), new Softdep(List.copyOf(pre), List.copyOf(post)));
                    }
                    break;
                default:
                    break; // install, remove and unknown keywords: ignored (see the class comment)
            }
        }
    }
}

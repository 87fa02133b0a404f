package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * modprobe.d(5) configuration, as libkmod-config.c (kmod 30) reads it. The files: depmod's
 * {@code modules.softdep} of the module directory, then the {@code *.conf} and {@code *.alias}
 * files of the given paths (directories, or single files), all parsed in the order of their file
 * names, a name met again later ignored (so an earlier directory hides a file of the same name in a
 * later one, and a softdep file named after a config file is never read). Each keyword's entries
 * are kept in file order, because libkmod's lookups take the first match (softdep, install,
 * remove) or all of them in order (alias, options), and {@code modprobe -c} prints them in that
 * order. Lines are read as freadline_wrapped does (a backslash joins the next line, or drops
 * itself before any other character); a bad line is reported as libkmod reports it and skipped.
 */
final class Config {
    /** {@code alias PATTERN MODULE}; {@code options MODULE TEXT}; {@code install|remove MODULE COMMAND}. */
    record Entry(String key, String value) {}

    /** {@code softdep PATTERN pre: ... post: ...}: words before the first pre: or post: belong to neither. */
    record Softdep(String pattern, List<String> pre, List<String> post) {
        /** softdep_to_char: "pre: A B" and/or "post: C", as modprobe -c prints the value. */
        String text() {
            StringBuilder sb = new StringBuilder();
            if (!pre.isEmpty()) {
                sb.append("pre: ").append(String.join(" ", pre));
            }
            if (!post.isEmpty()) {
                sb.append("post: ").append(String.join(" ", post));
            }
            return sb.toString();
        }
    }

    final List<Entry> aliases = new ArrayList<>();
    final List<String> blacklist = new ArrayList<>();
    final List<Entry> options = new ArrayList<>();
    final List<Entry> install = new ArrayList<>();
    final List<Entry> remove = new ArrayList<>();
    final List<Softdep> softdeps = new ArrayList<>();
    private final Log log;

    private Config(Log log) {
        this.log = log;
    }

    /** kmod's default search path, under ROOT (the emulated system's own /etc, /run, /lib). */
    static List<Path> defaultPaths(Path root) {
        return List.of(root.resolve("etc/modprobe.d"), root.resolve("run/modprobe.d"),
                root.resolve("usr/local/lib/modprobe.d"), root.resolve("lib/modprobe.d"));
    }

    /**
     * kmod_config_new: modules.softdep of {@code moddir} (null: none) and the files of {@code paths}.
     * The kernel command line is not read: the emulated kernel has none (as the preload library
     * gives kmod an empty /proc/cmdline).
     */
    static Config read(Path moddir, List<Path> paths, Log log) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>(Config::compareBytes); // strcmp order, first one of a name wins
        if (moddir != null) {
            files.put("modules.softdep", moddir.resolve("modules.softdep"));
        }
        for (Path p : paths) {
            if (!Files.exists(p)) {
                continue;
            }
            if (!Files.isDirectory(p)) {
                files.putIfAbsent(p.getFileName() == null ? p.toString() : p.getFileName().toString(), p);
                continue;
            }
            try (Stream<Path> s = Files.list(p)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    String n = f.getFileName().toString();
                    if (n.startsWith(".") || n.length() < 6 || !(n.endsWith(".conf") || n.endsWith(".alias"))) {
                        continue;
                    }
                    if (Files.isDirectory(f)) {
                        LibkmodLog.early(log, LibkmodLog.CONFIG_DIRECTORY, "Directories inside directories are not supported: " + p + "/" + n + "\n");
                        continue;
                    }
                    files.putIfAbsent(n, f);
                }
            } catch (IOException e) {
                LibkmodLog.early(log, LibkmodLog.CONFIG_OPENDIR, "opendir(" + p + "): " + e.getMessage() + "\n");
            }
        }
        Config c = new Config(log);
        for (Path f : files.values()) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                continue; // libkmod skips a file it cannot open
            }
            c.parse(new String(bytes, StandardCharsets.UTF_8), f.toString());
        }
        return c;
    }

    private static int compareBytes(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }

    /** kmod_config_parse of one file's text. */
    void parse(String text, String filename) {
        int pos = 0;
        int linenum = 0;
        while (pos < text.length()) {
            StringBuilder line = new StringBuilder();
            int lines = 0;
            boolean ended = false;
            while (pos < text.length()) {
                char ch = text.charAt(pos++);
                if (ch == '\n') {
                    lines++;
                    ended = true;
                    break;
                }
                if (ch == '\\' && pos < text.length()) {
                    char next = text.charAt(pos++);
                    if (next == '\n') {
                        lines++;
                        continue;
                    }
                    ch = next;
                } else if (ch == '\\') {
                    continue; // a backslash at the end of the file
                }
                line.append(ch);
            }
            if (!ended) { // the end of the file: a line only if it has text
                if (line.length() == 0) {
                    break;
                }
                lines++;
            }
            linenum += lines;
            parseLine(line.toString(), filename, linenum);
        }
    }

    private void parseLine(String line, String filename, int linenum) {
        if (line.isEmpty() || line.charAt(0) == '#') {
            return;
        }
        Tokens t = new Tokens(line);
        String cmd = t.next();
        if (cmd == null) {
            return;
        }
        switch (cmd) {
            case "alias" -> {
                String alias = underscores(t.next());
                String modname = underscores(t.next());
                if (alias == null || modname == null) {
                    bad(filename, linenum, cmd);
                } else {
                    aliases.add(new Entry(alias, modname));
                }
            }
            case "blacklist" -> {
                String modname = underscores(t.next());
                if (modname == null) {
                    bad(filename, linenum, cmd);
                } else {
                    blacklist.add(modname);
                }
            }
            case "options", "install", "remove", "softdep" -> {
                String modname = underscores(t.next());
                String rest = t.rest();
                if (modname == null || rest == null) {
                    bad(filename, linenum, cmd);
                } else if (cmd.equals("options")) {
                    options.add(new Entry(modname, rest.replace('\t', ' ')));
                } else if (cmd.equals("install")) {
                    install.add(new Entry(modname, rest));
                } else if (cmd.equals("remove")) {
                    remove.add(new Entry(modname, rest));
                } else {
                    softdeps.add(softdep(modname, rest));
                }
            }
            case "include", "config" -> LibkmodLog.early(log, LibkmodLog.CONFIG_PARSE_DEPRECATED, filename + ": command " + cmd + " is deprecated and not parsed anymore\n");
            default -> bad(filename, linenum, cmd);
        }
    }

    private void bad(String filename, int linenum, String cmd) {
        LibkmodLog.early(log, LibkmodLog.CONFIG_PARSE_BAD, filename + " line " + linenum + ": ignoring bad line starting with '" + cmd + "'\n");
    }

    /** kmod_config_add_softdep: whitespace-separated words; pre: and post: switch the list. */
    private static Softdep softdep(String modname, String line) {
        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        List<String> into = null;
        for (String w : line.split("[ \t\n\u000b\f\r]+")) {
            if (w.isEmpty()) {
                continue;
            }
            if (w.equals("pre:")) {
                into = pre;
            } else if (w.equals("post:")) {
                into = post;
            } else if (into != null) {
                into.add(w);
            }
        }
        return new Softdep(modname, List.copyOf(pre), List.copyOf(post));
    }

    /** libkmod's underscores(): '-' as '_' outside brackets; null (a bad line) for null or an unbalanced bracket. */
    static String underscores(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ']') {
                return null;
            }
            if (c == '[') {
                int close = s.indexOf(']', i);
                if (close < 0) {
                    return null;
                }
                out.append(s, i, close + 1);
                i = close;
                continue;
            }
            out.append(c == '-' ? '_' : c);
        }
        return out.toString();
    }

    /** strtok_r over " \t" as kmod_config_parse calls it, and its strtok_r(NULL, "\0") for the rest. */
    private static final class Tokens {
        private final String s;
        private int pos;

        Tokens(String s) {
            this.s = s;
        }

        String next() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
            if (pos >= s.length()) {
                return null;
            }
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != ' ' && s.charAt(pos) != '\t') {
                pos++;
            }
            String tok = s.substring(start, pos);
            if (pos < s.length()) {
                pos++; // strtok_r ends the token at the delimiter and goes past it
            }
            return tok;
        }

        /** Everything after the last token's delimiter, or null if nothing is left. */
        String rest() {
            if (pos >= s.length()) {
                return null;
            }
            String r = s.substring(pos);
            pos = s.length();
            return r;
        }
    }
}

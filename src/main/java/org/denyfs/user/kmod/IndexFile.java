package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One of depmod's binary indexes (modules.alias.bin, modules.symbols.bin, ...), read as libkmod's
 * libkmod-index.c reads it: a trie of nodes, each with an optional prefix, children by character and
 * values with a priority. The wildcard search walks it the way libkmod does rather than matching
 * each pattern on its own, because the walk has visible quirks: a name that contains a wildcard
 * character can reach the same pattern twice (once literally, once through the wildcard) and is then
 * answered twice, as kmod 30 answers it. Values come out in priority order, a later one of equal
 * priority before an earlier one (libkmod's add_value).
 *
 * <p>Format (big-endian): magic 0xB007F457, version 2.x, the root's offset; an offset's top nibble
 * says what the node holds (0x80 prefix, 0x40 values, 0x20 children), the rest is its file position.
 * A node: the prefix (NUL-terminated), then first and last child characters and one offset per
 * character in between, then the value count and each value (priority, NUL-terminated text).
 */
final class IndexFile {
    private static final int MAGIC = 0xB007F457;
    private static final int PREFIX = 0x80000000;
    private static final int VALUES = 0x40000000;
    private static final int CHILDS = 0x20000000;
    private static final int MASK = 0x0FFFFFFF;

    private record Value(int priority, String value) {}

    private record Node(String prefix, int first, int last, int[] children, List<Value> values) {
        Integer child(int ch) {
            if (ch < first || ch > last) {
                return null;
            }
            int off = children[ch - first];
            return (off & MASK) == 0 ? null : off;
        }
    }

    private final ByteBuffer map;
    private final int root;

    private IndexFile(ByteBuffer map, int root) {
        this.map = map;
        this.root = root;
    }

    /** The index, or null if the file is missing (libkmod then has no answer from it: -ENOSYS). */
    static IndexFile open(Path file) throws IOException {
        ByteBuffer map;
        try { // read, not mapped: a mapping would keep the file (and a mount it is on) busy until a GC
            map = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.BIG_ENDIAN);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (map.capacity() < 12 || map.getInt(0) != MAGIC || (map.getInt(4) >>> 16) != 2) {
            throw new IOException(file + ": not a kmod index (bad magic or version)");
        }
        return new IndexFile(map, map.getInt(8));
    }

    private Node node(int offset) throws IOException {
        if ((offset & MASK) == 0) {
            return null;
        }
        int p = offset & MASK;
        try {
            String prefix = "";
            if ((offset & PREFIX) != 0) {
                int end = p;
                while (map.get(end) != 0) {
                    end++;
                }
                prefix = string(p, end);
                p = end + 1;
            }
            int first = 128;
            int last = 0;
            int[] children = new int[0];
            if ((offset & CHILDS) != 0) {
                first = map.get(p);
                last = map.get(p + 1);
                p += 2;
                children = new int[Math.max(0, last - first + 1)];
                for (int i = 0; i < children.length; i++, p += 4) {
                    children[i] = map.getInt(p);
                }
            }
            List<Value> values = List.of();
            if ((offset & VALUES) != 0) {
                int n = map.getInt(p);
                p += 4;
                values = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int priority = map.getInt(p);
                    p += 4;
                    int end = p;
                    while (map.get(end) != 0) {
                        end++;
                    }
                    values.add(new Value(priority, string(p, end)));
                    p = end + 1;
                }
            }
            return new Node(prefix, first, last, children, values);
        } catch (IndexOutOfBoundsException e) {
            throw new IOException("kmod index: node at " + (offset & MASK) + " runs past the end of the file");
        }
    }

    private String string(int from, int to) {
        byte[] b = new byte[to - from];
        map.get(from, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** index_mm_search: the first value of exactly {@code key}, or null. */
    String search(String key) throws IOException {
        Node n = node(root);
        int i = 0;
        while (n != null) {
            for (int j = 0; j < n.prefix().length(); j++, i++) {
                if (i >= key.length() || n.prefix().charAt(j) != key.charAt(i)) {
                    return null;
                }
            }
            if (i == key.length()) {
                return n.values().isEmpty() ? null : n.values().get(0).value();
            }
            Integer c = n.child(key.charAt(i));
            n = c == null ? null : node(c);
            i++;
        }
        return null;
    }

    /** index_mm_searchwild: every value of every pattern matching {@code key}, as libkmod orders them. */
    List<String> searchWild(String key) throws IOException {
        List<Value> out = new ArrayList<>();
        searchWildNode(node(root), new StringBuilder(), key, 0, out);
        List<String> values = new ArrayList<>(out.size());
        for (Value v : out) {
            values.add(v.value());
        }
        return values;
    }

    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    /** Level 2: descend literally until the index has a wildcard. */
    private void searchWildNode(Node n, StringBuilder buf, String key, int i, List<Value> out) throws IOException {
        while (n != null) {
            int j;
            for (j = 0; j < n.prefix().length(); j++) {
                char ch = n.prefix().charAt(j);
                if (ch == '*' || ch == '?' || ch == '[') {
                    searchWildAll(n, j, buf, key.substring(Math.min(key.length(), i + j)), out);
                    return;
                }
                if (ch != at(key, i + j)) {
                    return;
                }
            }
            i += j;
            for (char w : new char[] {'*', '?', '['}) {
                Integer c = n.child(w);
                if (c != null) {
                    buf.append(w);
                    searchWildAll(node(c), 0, buf, key.substring(Math.min(key.length(), i)), out);
                    buf.setLength(buf.length() - 1);
                }
            }
            if (i >= key.length()) {
                n.values().forEach(v -> addValue(out, v));
                return;
            }
            Integer c = n.child(key.charAt(i));
            n = c == null ? null : node(c);
            i++;
        }
    }

    /** Level 3: every key below a wildcard, fnmatch'ed against the rest of the name. */
    private void searchWildAll(Node n, int j, StringBuilder buf, String subkey, List<Value> out) throws IOException {
        int pushed = n.prefix().length() - j;
        buf.append(n.prefix(), j, n.prefix().length());
        for (int ch = n.first(); ch <= n.last(); ch++) {
            Integer c = n.child(ch);
            if (c != null) {
                buf.append((char) ch);
                searchWildAll(node(c), 0, buf, subkey, out);
                buf.setLength(buf.length() - 1);
            }
        }
        if (!n.values().isEmpty() && Glob.matches(buf.toString(), subkey)) {
            n.values().forEach(v -> addValue(out, v));
        }
        buf.setLength(buf.length() - pushed);
    }

    /** add_value: before the first value of equal or higher priority. */
    private static void addValue(List<Value> out, Value v) {
        int k = 0;
        while (k < out.size() && out.get(k).priority() < v.priority()) {
            k++;
        }
        out.add(k, v);
    }

    /** index_mm_dump: "PREFIXKEY VALUE" for every value, keys in the trie's (byte) order. */
    List<String> dump(String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        dump(node(root), new StringBuilder(prefix), out);
        return out;
    }

    private void dump(Node n, StringBuilder buf, List<String> out) throws IOException {
        int pushed = n.prefix().length();
        buf.append(n.prefix());
        for (Value v : n.values()) {
            out.add(buf + " " + v.value());
        }
        for (int ch = n.first(); ch <= n.last(); ch++) {
            Integer c = n.child(ch);
            if (c != null) {
                buf.append((char) ch);
                dump(node(c), buf, out);
                buf.setLength(buf.length() - 1);
            }
        }
        buf.setLength(buf.length() - pushed);
    }
}

package org.denyfs.user.kmod;

/**
 * fnmatch(3) with flags 0, as libkmod matches modules.alias and modprobe.d alias patterns: '*', '?',
 * bracket expressions ("[abc]", "[a-z]", "[!x]" or "[^x]") and backslash escapes; '/' and a
 * leading '.' are ordinary characters.
 */
final class Glob {
    private Glob() {}

    static boolean matches(String pattern, String s) {
        return match(pattern, 0, s, 0);
    }

    /** True if the pattern has no glob character: an exact lookup is enough. */
    static boolean isLiteral(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*': {
                    while (pi < p.length() && p.charAt(pi) == '*') {
                        pi++;
                    }
                    if (pi == p.length()) {
                        return true;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi, s, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?':
                    if (si == s.length()) {
                        return false;
                    }
                    pi++;
                    si++;
                    break;
                case '[': {
                    if (si == s.length()) {
                        return false;
                    }
                    int end = bracketEnd(p, pi);
                    if (end < 0) { // no closing ']': a literal '['
                        if (s.charAt(si) != '[') {
                            return false;
                        }
                        pi++;
                        si++;
                        break;
                    }
                    if (!inBracket(p, pi + 1, end, s.charAt(si))) {
                        return false;
                    }
                    pi = end + 1;
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < p.length()) {
                        pi++;
                        c = p.charAt(pi);
                    }
                    // fall through: the escaped (or trailing) character is literal
                default:
                    if (si == s.length() || s.charAt(si) != c) {
                        return false;
                    }
                    pi++;
                    si++;
            }
        }
        return si == s.length();
    }

    /** The index of the ']' closing the bracket expression at {@code open}, or -1. */
    private static int bracketEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') { // a leading ']' is a member
            i++;
        }
        while (i < p.length() && p.charAt(i) != ']') {
            i++;
        }
        return i < p.length() ? i : -1;
    }

    private static boolean inBracket(String p, int from, int end, char c) {
        boolean negate = p.charAt(from) == '!' || p.charAt(from) == '^';
        int i = negate ? from + 1 : from;
        boolean found = false;
        while (i < end) {
            char lo = p.charAt(i);
            if (lo == '\\' && i + 1 < end) {
                lo = p.charAt(++i);
            }
            if (i + 2 < end && p.charAt(i + 1) == '-') {
                char hi = p.charAt(i + 2);
                if (c >= lo && c <= hi) {
                    found = true;
                }
                i += 3;
            } else {
                if (c == lo) {
                    found = true;
                }
                i++;
            }
        }
        return found != negate;
    }
}

package org.denyfs.kernel.passthrough;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import jnr.ffi.Pointer;
import org.denyfs.core.Caller;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.Hold;
import org.denyfs.core.HoldKind;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.natives.Libc;

/**
 * {@code -o exclusive_read=GLOB[:GLOB...]}: every read-only open of a file whose path below the
 * mount matches one of the globs takes exclusive_deny_write_access (commit 9828ed3f69) for that open's
 * lifetime, so a program that knows nothing of denyfs meets the seed commit's rule: a second reader
 * of the same inode (through any link), or a writer, gets ETXTBSY, as a second finit_module did.
 * Ordinary deniers (a running program, a module read, a control-file deny) still stack on it.
 *
 * <p>The globs are the JDK's ({@link java.nio.file.FileSystem#getPathMatcher}, "glob:" syntax), matched
 * on the whole path below the mount without its leading slash: {@code *} and {@code ?} stay within one
 * component, {@code **} crosses directories, {@code [...]} is a class. An open of a path that matches
 * none costs nothing more than before; with no globs the path is not even decoded.
 */
public final class ExclusiveReads {
    private final List<PathMatcher> matchers;
    private final String spec;
    private final LongAdder taken = new LongAdder();
    private final LongAdder refused = new LongAdder();

    private ExclusiveReads(List<String> globs) {
        this.spec = String.join(":", globs);
        this.matchers = globs.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
    }

    /** No file is read exclusively. */
    public static final ExclusiveReads NONE = new ExclusiveReads(List.of());

    /**
     * The globs of one option value, "lib/modules/**.ko:firmware/*".
     *
     * @throws IllegalArgumentException naming the glob the JDK cannot read, or an empty one
     */
    public static ExclusiveReads parse(String value) {
        List<String> globs = List.of(value.split(":", -1));
        for (String g : globs) {
            if (g.isEmpty() || g.startsWith("/") || g.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("exclusive_read=" + value + ": '" + g
                        + "' is not a glob of a path below the mount (no leading /, no spaces, none empty)");
            }
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + g);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("exclusive_read=" + value + ": '" + g + "': " + e.getMessage());
            }
        }
        return new ExclusiveReads(globs);
    }

    /** Whether any glob was given: opens decode their path only then. */
    boolean any() {
        return !matchers.isEmpty();
    }

    /** Whether the FUSE path (a C string, "/dir/file") is read exclusively. */
    boolean matches(long fusePath) {
        return any() && matches(Pointer.wrap(Libc.RUNTIME, fusePath).getString(0));
    }

    boolean matches(String fusePath) {
        if (!any() || fusePath.length() < 2) {
            return false;
        }
        Path relative = Path.of(fusePath.substring(1));
        for (PathMatcher m : matchers) {
            if (m.matches(relative)) {
                return true;
            }
        }
        return false;
    }

    /** The exclusive deny of one read-only open; ETXTBSY (counted) while written or denied. */
    Hold take(Inodes inodes, InodeKey key, Caller caller) {
        try {
            Hold hold = inodes.take(key, HoldKind.EXCLUSIVE_READ, caller.pid(), caller.uid(), true);
            taken.increment();
            return hold;
        } catch (ErrnoException e) {
            refused.increment();
            throw e;
        }
    }

    /** The status reply's part: the globs, opens that took the exclusive deny, and opens refused. */
    public String figures() {
        return "exclusive_read=" + (spec.isEmpty() ? "-" : spec) + " exclusive_reads=" + taken.sum()
                + " exclusive_read_refused=" + refused.sum();
    }
}

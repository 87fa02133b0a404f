package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mount behaves exactly like the directory behind it: native-test/src/posixcheck.c runs one
 * fixed script of POSIX operations (modes under every umask, ownership, setgid and sticky
 * directories, hard links, renames over files and directories, symlinks, long names and a path of
 * PATH_MAX-1 bytes, UTIME_NOW/UTIME_OMIT, O_APPEND/O_EXCL/O_TRUNC/O_DIRECT, sparse files, xattrs,
 * files unlinked or replaced while open, removed directories) in a directory of BACKING and in one
 * of the mount, as root, as an unprivileged user and as an unprivileged member of the setgid
 * directory's group, and every line it prints (the call's result or errno, and the state it left)
 * must be the same both ways.
 */
class PosixConformanceIT extends OnOneMount {
    /** Who runs the script, as setpriv(1) arguments; the setgid fixture belongs to group 100. */
    private record Identity(String name, int uid, int gid, List<String> setpriv) {}

    private static final List<Identity> IDENTITIES = List.of(
            new Identity("root", 0, 0, List.of()),
            new Identity("user", 65534, 65534, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")),
            new Identity("member", 65534, 65534, List.of("setpriv", "--reuid=65534", "--regid=65534", "--groups=100")));

    @Test
    void everyOperation_givesTheSameResultOnTheMountAsOnTheBackingDirectory() throws IOException {
        Path tool = Proc.tool("posixcheck");
        int compared = 0;
        List<String> differences = new ArrayList<>();
        for (Identity who : IDENTITIES) {
            List<String> nativeLines = run(tool, who, m.backing.resolve("native-" + who.name()));
            List<String> mountLines = run(tool, who, m.mnt.resolve("mount-" + who.name()));
            assertThat(nativeLines).as("steps run natively as " + who.name()).hasSizeGreaterThan(400);
            for (int i = 0; i < Math.max(nativeLines.size(), mountLines.size()); i++) {
                String a = i < nativeLines.size() ? nativeLines.get(i) : "(missing)";
                String b = i < mountLines.size() ? mountLines.get(i) : "(missing)";
                compared++;
                if (!a.equals(b)) {
                    differences.add(who.name() + ": native  " + a + "\n" + " ".repeat(who.name().length()) + "  mount   " + b);
                }
            }
        }
        System.out.printf("posix conformance: %d operations compared (%d identities), %d differences%n",
                compared, IDENTITIES.size(), differences.size());
        differences.forEach(System.out::println);
        assertThat(differences).as("lines that differ between BACKING and the mount").isEmpty();
    }

    private static List<String> run(Path tool, Identity who, Path dir) throws IOException {
        Files.createDirectory(dir);
        Proc.Result setup = Proc.run(dir, List.of(tool.toString(), "setup", dir.toString(), who.uid() + ":" + who.gid()));
        assertThat(setup.status()).as("setup in " + dir + ": " + setup.err()).isZero();
        List<String> cmd = new ArrayList<>(who.setpriv());
        cmd.addAll(List.of(tool.toString(), "run", dir.toString()));
        Proc.Result r = Proc.run(dir, cmd);
        assertThat(r.status()).as("posixcheck run as " + who.name() + " in " + dir + ": " + r.err()).isZero();
        return r.out().lines().toList();
    }
}

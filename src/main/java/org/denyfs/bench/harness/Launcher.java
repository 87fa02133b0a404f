package org.denyfs.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The denyfs command a benchmark mounts and unmounts with ({@code --denyfs}, by default scripts/denyfs). */
public final class Launcher {
    private Launcher() {}

    /**
     * Splits the --denyfs command on blanks (so "java -jar target/denyfs.jar" works) and resolves a
     * relative program path against the repository, like the default {@code scripts/denyfs}.
     */
    public static List<String> resolve(String command, Path repoRoot) throws TargetUnavailable {
        List<String> words = new ArrayList<>(Arrays.asList(command.trim().split("\\s+")));
        if (words.isEmpty() || words.get(0).isEmpty()) {
            throw new TargetUnavailable("--denyfs is empty");
        }
        String program = words.get(0);
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!p.isAbsolute()) {
                p = (repoRoot != null ? repoRoot : Path.of(System.getProperty("user.dir"))).resolve(p);
            }
            if (!Files.exists(p)) {
                throw new TargetUnavailable("denyfs launcher " + p + " does not exist (yet); skipping denyfs"
                        + " - pass --denyfs CMD, invoked as 'CMD mount BACKING MNT' and 'CMD umount MNT'");
            }
            if (!Files.isExecutable(p)) {
                throw new TargetUnavailable("denyfs launcher " + p + " is not executable (chmod +x it)");
            }
            words.set(0, p.toString());
        } else if (Executables.onPath(program).isEmpty()) {
            throw new TargetUnavailable("denyfs launcher '" + program + "' is not on PATH; skipping denyfs");
        }
        return List.copyOf(words);
    }
}

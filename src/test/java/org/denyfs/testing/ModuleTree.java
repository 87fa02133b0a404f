package org.denyfs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Debian module tree the module tests mount (scripts/prepare-module-tree.sh; .ci/run
 * prepares it and sets DENYFS_MODTREE). Under CI its absence is a failure, elsewhere a skip.
 */
public record ModuleTree(Path root, String release) {
    public static ModuleTree require() {
        String env = System.getenv("DENYFS_MODTREE");
        Path tree = env == null ? Path.of("/var/cache/denyfs/modtree") : Path.of(env);
        Path pkg = tree.resolve("PACKAGE");
        boolean present = Files.isRegularFile(pkg);
        if ("true".equals(System.getenv("CI")) && !present) {
            throw new AssertionError("CI=true but no module tree at " + tree + " (scripts/prepare-module-tree.sh)");
        }
        Assumptions.assumeTrue(present, "no module tree at " + tree);
        try {
            return new ModuleTree(tree.resolve("root"), Files.readString(pkg).trim().split(" ")[2]);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** lib/modules/RELEASE under the tree root. */
    public Path moduleDir() {
        return root.resolve("lib/modules").resolve(release);
    }

    /** The path of a module file relative to the tree root, e.g. lib/modules/R/kernel/crypto/cryptd.ko. */
    public String ko(String file) {
        Path modules = root.resolve("lib/modules").resolve(release);
        String pattern = file.replace("-", "[-_]") + "\\.ko";
        try (Stream<Path> s = Files.walk(modules.resolve("kernel"))) {
            return root.relativize(s.filter(p -> p.getFileName().toString().matches(pattern)).findFirst()
                    .orElseThrow(() -> new AssertionError(file + " not in " + modules))).toString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

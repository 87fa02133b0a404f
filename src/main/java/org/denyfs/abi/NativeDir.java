package org.denyfs.abi;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Where the build puts the C side (src/main/c): {@code target/native}. */
public final class NativeDir {
    private NativeDir() {
    }

    /** native/ beside the code: the jar is target/denyfs.jar, or classes are target/classes. */
    public static Path locate() {
        try {
            Path code = Path.of(NativeDir.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.getParent().resolve("native");
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("target", "native");
        }
    }
}

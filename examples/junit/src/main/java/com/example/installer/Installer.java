package com.example.installer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The code under test: installs a program file while an old copy of it may be running. */
public final class Installer {
    private Installer() {}

    /** Writes the new content into a sibling and renames it over target: works while target runs. */
    public static void replace(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".new");
        Files.write(tmp, content, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Overwrites target in place: what a naive installer does, and what ETXTBSY refuses. */
    public static void overwrite(Path target, byte[] content) throws IOException {
        Files.write(target, content, StandardOpenOption.TRUNCATE_EXISTING);
    }
}

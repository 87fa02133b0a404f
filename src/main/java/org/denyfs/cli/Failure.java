package org.denyfs.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * An unexpected failure in words a user reads: the file and the cause, as strerror(3) says it,
 * never a Java class name.
 */
final class Failure {
    private Failure() {}

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        if (t instanceof FileSystemException f && f.getFile() != null) {
            String cause = t instanceof NoSuchFileException ? "No such file or directory"
                    : t instanceof AccessDeniedException ? "Permission denied"
                    : t instanceof NotDirectoryException ? "Not a directory"
                    : f.getReason() != null ? f.getReason() : "failed";
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + cause;
        }
        if (t.getMessage() != null) {
            return t.getMessage();
        }
        return "unexpected internal error (" + t.getClass().getSimpleName() + "); please report it";
    }
}

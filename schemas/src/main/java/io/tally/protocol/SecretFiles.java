package io.tally.protocol;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files that hold secrets (the envelope key, the demo tenant's keys): readable and writable by their owner only from
 * the moment they exist, so that no other user can open one while it is being written.
 */
public final class SecretFiles {

    private SecretFiles() {}

    /**
     * Writes {@code content} to {@code file}, replacing it: into a new owner-only file beside it, moved into place.
     * On a file system without POSIX permissions the file is written as the platform makes it.
     */
    public static void write(Path file, byte[] content) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try {
            createOwnerOnly(temporary);
            Files.write(temporary, content);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Creates {@code file}, owner-only, unless it exists; returns whether it did. */
    public static boolean createIfAbsent(Path file, byte[] content) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        try {
            createOwnerOnly(target);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        Files.write(target, content);
        return true;
    }

    private static void createOwnerOnly(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
    }
}

package dev.drpilot.recovery;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directory a restore goes into. A restore never lands on anything: the directory must be
 * absent or empty, and only a directory this check created (or found empty) is removed after it.
 */
final class ScratchDirectory {

    private ScratchDirectory() {
    }

    /** Why the directory cannot take a restore, if it cannot. */
    static Optional<String> refusal(Path directory) {
        if (!Files.exists(directory)) {
            return Optional.empty();
        }
        if (!Files.isDirectory(directory)) {
            return Optional.of(directory + " exists and is not a directory");
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().map(entry -> directory + " is not empty (it holds " + entry.getFileName()
                    + "): a restore check never restores over anything; remove what is there, or choose another directory");
        } catch (IOException e) {
            return Optional.of("cannot read " + directory + ": " + e.getMessage());
        }
    }

    /** Creates the directory for the server's user, readable by that user only, as PostgreSQL demands. */
    static void create(Path directory, String osUser) throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        own(directory, osUser);
    }

    static void own(Path path, String osUser) throws IOException {
        if (!osUser.equals(System.getProperty("user.name"))) {
            Files.setOwner(path, FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(osUser));
        }
    }

    static void remove(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

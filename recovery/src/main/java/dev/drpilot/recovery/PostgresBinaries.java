package dev.drpilot.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server binaries that can start a restored data directory: those of the major version the
 * backup was taken with (its PG_VERSION), as Debian installs them.
 */
final class PostgresBinaries {
    private static final Path DEBIAN = Path.of("/usr/lib/postgresql");

    private PostgresBinaries() {
    }

    static Path forDataDirectory(Path dataDirectory) {
        String version;
        try {
            version = Files.readString(dataDirectory.resolve("PG_VERSION")).strip();
        } catch (IOException e) {
            throw new IllegalStateException("the restored directory has no PG_VERSION: the restore did not produce a data directory", e);
        }
        Path bin = DEBIAN.resolve(version).resolve("bin");
        if (!Files.isExecutable(bin.resolve("pg_ctl"))) {
            throw new IllegalStateException("the backup is of PostgreSQL " + version + " but " + bin
                    + " has no pg_ctl: install postgresql-" + version + " or set restoreCheck.pgBin");
        }
        return bin;
    }
}

package dev.drpilot.agent.rejoin;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The server on this host that is to become a replica: where its data and binaries are, which OS user owns them,
 * where it listens (for SQL on it once started) and how {@code pg_ctl} starts it.
 *
 * @param name          the node's name; the new primary sees it as {@code application_name}
 * @param runAs         the OS user to run the PostgreSQL programs as ({@code postgres}) when the agent runs as
 *                      root; empty when the agent already runs as that user
 * @param serverOptions options {@code pg_ctl start -o} passes to the server (port, socket directory, ...)
 * @param configFile    the server's postgresql.conf when it is not in the data directory (Debian's /etc layout):
 *                      pg_rewind needs it to run crash recovery
 */
public record LocalNode(String name, Path dataDirectory, Path binDirectory, Optional<String> runAs, String host, int port,
                        String serverOptions, Path logFile, Optional<Path> configFile) {

    public LocalNode {
        require(name != null && !name.isBlank(), "rejoin.local.name must not be empty");
        require(dataDirectory != null && dataDirectory.isAbsolute(), "rejoin.local.dataDirectory must be an absolute path, got " + dataDirectory);
        require(binDirectory != null && binDirectory.isAbsolute(), "rejoin.local.binDirectory must be an absolute path, got " + binDirectory);
        require(runAs != null, "rejoin.local.runAs must be given (empty: run as this user)");
        require(host != null && !host.isBlank(), "rejoin.local.host must not be empty");
        require(port > 0 && port < 65536, "rejoin.local.port must be 1..65535, got " + port);
        require(serverOptions != null, "rejoin.local.serverOptions must be given (empty: none)");
        require(logFile != null && logFile.isAbsolute(), "rejoin.local.logFile must be an absolute path, got " + logFile);
        require(configFile != null, "rejoin.local.configFile must be given (empty: postgresql.conf in the data directory)");
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/postgres";
    }
}

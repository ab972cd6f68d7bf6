package dev.drpilot.agent.rejoin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The new primary to rejoin as a replica of. The password, when one is needed, comes from the OS user's
 * {@code ~/.pgpass} (or {@code PGPASSFILE}): libpq (pg_rewind, pg_basebackup, the replica's walreceiver) and
 * pgjdbc read it alike, so it never sits in drpilot's configuration or in {@code primary_conninfo}. The user needs
 * the REPLICATION attribute and what pg_rewind needs on its source (superuser, or EXECUTE on pg_ls_dir,
 * pg_stat_file and pg_read_binary_file).
 */
public record SourceServer(String host, int port, String user, String database) {

    public SourceServer {
        LocalNode.require(host != null && !host.isBlank(), "rejoin.source.host must not be empty");
        LocalNode.require(port > 0 && port < 65536, "rejoin.source.port must be 1..65535, got " + port);
        LocalNode.require(user != null && !user.isBlank(), "rejoin.source.user must not be empty");
        LocalNode.require(database != null && !database.isBlank(), "rejoin.source.database must not be empty");
    }

    /** A libpq connection string; {@code applicationName} is how the new primary will know the replica. */
    public String conninfo(String applicationName) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("host", host);
        values.put("port", Integer.toString(port));
        values.put("user", user);
        values.put("dbname", database);
        values.put("application_name", applicationName);
        return values.entrySet().stream().map(entry -> entry.getKey() + "=" + quote(entry.getValue())).collect(Collectors.joining(" "));
    }

    public String jdbcUrl(String databaseName) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + databaseName;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }

    private static String quote(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '\'' || c == '\\')) {
            return value;
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}

package dev.drpilot.detector.rules;

/**
 * What a SQLSTATE a PostgreSQL node answered a probe with means for the engineer on call: the
 * database-refuses alert names it beside the server's own message.
 */
final class SqlStateMeanings {
    private SqlStateMeanings() {
    }

    static String of(String sqlState) {
        String state = sqlState == null ? "" : sqlState;
        if (state.startsWith("28") || state.equals("08004")) {
            return "Login refused: the collector's credentials (user, password, pg_hba.conf) no longer match the server's, e.g. a"
                    + " rotated password; fix the collector's configuration or the role.";
        }
        if (state.equals("53300")) {
            return "Connections exhausted (max_connections): the server serves the sessions it has but refuses new ones, as it"
                    + " refuses the applications'; find who holds the connections (pg_stat_activity), use a pooler or raise the limit.";
        }
        if (state.equals("57P03")) {
            return "Starting up, shutting down or in crash recovery: it refuses new sessions meanwhile; if it lasts, read its server log.";
        }
        if (state.equals("57P01") || state.equals("57P02")) {
            return "Being shut down or restarted (by an administrator or after a crash of another process).";
        }
        if (state.equals("3D000")) {
            return "The database the collector is configured to connect to does not exist on this node.";
        }
        if (state.equals("57014")) {
            return "The probe's query was cancelled by the statement timeout: the server is overloaded or blocked.";
        }
        if (state.startsWith("53")) {
            return "The server is out of a resource (disk, memory or connections).";
        }
        return "Look the SQLSTATE up in PostgreSQL's error code table (Appendix A of its manual).";
    }
}

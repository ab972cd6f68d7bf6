package dev.drpilot.agent.rejoin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checks before a rejoin touches anything, each recorded by name: the local server is stopped (a running one
 * may be the primary taking writes), its control data is readable, the source answers, is a primary, is the same
 * database system, is on a newer timeline that descends from the local one, and whether pg_rewind can be used.
 * Any failure refuses, saying what to do; only "pg_rewind cannot be used" may instead lead to a base backup.
 */
final class Preconditions {

    /** What the checks found, and so how to rejoin. */
    record Plan(ControlData control, int localTimeline, int sourceTimeline, Lsn divergence, boolean rewind) {
    }

    private static final Pattern HISTORY_FILE = Pattern.compile("([0-9A-F]{8})\\.history");
    // pg_ctl status: 0 running, 3 not running, 4 no accessible data directory.
    private static final int PG_CTL_NOT_RUNNING = 3;
    private static final int PG_CTL_NO_DATA_DIRECTORY = 4;
    private static final String PHASE = "preconditions";

    private final RejoinSettings settings;
    private final CommandRunner commands;
    private final NewPrimary source;

    Preconditions(RejoinSettings settings, CommandRunner commands, NewPrimary source) {
        this.settings = settings;
        this.commands = commands;
        this.source = source;
    }

    Plan check(Attempt attempt) throws Attempt.Stop {
        localStopped(attempt);
        ControlData control = controlData(attempt);
        int localTimeline = localTimeline(control);
        attempt.check("local control data", true, "timeline " + localTimeline + ", state \"" + control.clusterState() + "\", wal_log_hints "
                + (control.walLogHints() ? "on" : "off") + ", data checksums " + (control.dataChecksums() ? "on" : "off"));
        try {
            return againstSource(attempt, control, localTimeline);
        } catch (SQLException e) {
            attempt.check("new primary answers", false, settings.source() + ": " + e.getMessage());
            attempt.error(PHASE, settings.source() + ": " + e.getMessage(), Sql.retriable(e));
            throw Attempt.refuse("make the new primary " + settings.source() + " answer (or name the right one) and rejoin again");
        }
    }

    private void localStopped(Attempt attempt) throws Attempt.Stop {
        Path dir = settings.local().dataDirectory();
        CommandRunner.Result status = commands.pg(settings.timeouts().command(), "pg_ctl", "status", "-D", dir.toString());
        if (!status.timedOut() && status.exitCode() == PG_CTL_NOT_RUNNING) {
            listensNot(attempt, dir);
            attempt.check("local server stopped", true, "no server running on " + dir + ", nothing listening on "
                    + settings.local().host() + ":" + settings.local().port());
            return;
        }
        if (!status.timedOut() && status.exitCode() == 0) {
            attempt.check("local server stopped", false, firstLine(status.stdout()));
            attempt.error(PHASE, "PostgreSQL is running on " + dir + ": a rejoin never touches a running server", false);
            throw Attempt.refuse("PostgreSQL is running on " + dir + " and may be a primary taking writes. Make sure clients"
                    + " write to the new primary, stop this one (pg_ctl -D " + dir + " -m fast stop), then rejoin again.");
        }
        attempt.check("local server stopped", false, status.failure());
        attempt.error(PHASE, status.failure(), status.timedOut());
        if (!status.timedOut() && status.exitCode() == PG_CTL_NO_DATA_DIRECTORY) {
            throw Attempt.refuse("there is no data directory at " + dir + ": check rejoin.local.dataDirectory");
        }
        throw Attempt.refuse("cannot tell whether PostgreSQL runs on " + dir + " (pg_ctl status failed): find out, then rejoin again");
    }

    /**
     * pg_ctl status judges by the pid in postmaster.pid, which a sidecar in another PID namespace cannot see: a
     * server that still accepts connections on the node's address is running, whatever pg_ctl says.
     */
    private void listensNot(Attempt attempt, Path dir) throws Attempt.Stop {
        LocalNode local = settings.local();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(local.host(), local.port()), (int) settings.timeouts().command().toMillis());
        } catch (IOException e) {
            return;   // nothing answers there: stopped, as pg_ctl said
        }
        attempt.check("local server stopped", false, "pg_ctl status says no server runs on " + dir + ", but " + local.host() + ":"
                + local.port() + " accepts connections");
        attempt.error(PHASE, local.host() + ":" + local.port() + " accepts connections: a rejoin never touches a running server", false);
        throw Attempt.refuse("something accepts connections on " + local.host() + ":" + local.port() + " (a PostgreSQL that pg_ctl cannot see,"
                + " in another container?): stop it, or correct rejoin.local.port, then rejoin again");
    }

    private ControlData controlData(Attempt attempt) throws Attempt.Stop {
        Path dir = settings.local().dataDirectory();
        CommandRunner.Result result = commands.pg(settings.timeouts().command(), "pg_controldata", "-D", dir.toString());
        try {
            if (result.succeeded()) {
                return ControlData.parse(result.stdout());
            }
        } catch (IllegalArgumentException e) {
            attempt.check("local control data", false, e.getMessage());
            attempt.error(PHASE, e.getMessage(), false);
            throw Attempt.refuse("pg_controldata's output for " + dir + " was not understood (" + e.getMessage() + ")");
        }
        attempt.check("local control data", false, result.failure());
        attempt.error(PHASE, result.failure(), result.timedOut());
        throw Attempt.refuse("cannot read the control data of " + dir + ": " + result.failure());
    }

    /**
     * The local timeline: the latest checkpoint's, or a newer one this node has a history file of — a node promoted
     * moments before it stopped writes the history file at once but may not have checkpointed since.
     */
    private int localTimeline(ControlData control) {
        Path wal = settings.local().dataDirectory().resolve("pg_wal");
        try (Stream<Path> files = Files.list(wal)) {
            int newestHistory = files.map(file -> HISTORY_FILE.matcher(file.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1), 16)).max().orElse(0);
            return Math.max(control.checkpointTimeline(), newestHistory);
        } catch (IOException e) {
            return control.checkpointTimeline();
        }
    }

    private Preconditions.Plan againstSource(Attempt attempt, ControlData control, int localTimeline) throws SQLException, Attempt.Stop {
        SourceServer server = settings.source();
        boolean inRecovery = source.inRecovery();
        attempt.check("new primary answers", true, server + " answered");
        if (inRecovery) {
            return refuseWith(attempt, "new primary is not in recovery", server + " is in recovery (a replica)",
                    "name the new primary as the source: " + server + " is a replica");
        }
        attempt.check("new primary is not in recovery", true, server + " takes writes");
        String systemIdentifier = source.systemIdentifier();
        if (!systemIdentifier.equals(control.systemIdentifier())) {
            return refuseWith(attempt, "same database system", "local " + control.systemIdentifier() + ", " + server + " " + systemIdentifier,
                    server + " is another database system: rejoining would replace this node's data with another database's; name the right source");
        }
        attempt.check("same database system", true, "system identifier " + systemIdentifier);
        int sourceTimeline = source.timeline();
        if (sourceTimeline <= localTimeline) {
            return refuseWith(attempt, "new primary's timeline is newer", server + " is on timeline " + sourceTimeline + ", this node on " + localTimeline,
                    "nothing to rejoin: this node is on timeline " + localTimeline + " and " + server + " on " + sourceTimeline
                            + " — it was not superseded by a promotion of " + server + " (wrong source?), or it already follows it: start it");
        }
        Optional<Lsn> switchPoint = TimelineHistory.parse(sourceTimeline, source.history(sourceTimeline)).switchPointOf(localTimeline);
        if (switchPoint.isEmpty()) {
            return refuseWith(attempt, "new primary's timeline is newer", "timeline " + localTimeline + " is not in the history of "
                    + server + "'s timeline " + sourceTimeline, server + " does not descend from this node's timeline: name the right source");
        }
        attempt.check("new primary's timeline is newer", true, "timeline " + sourceTimeline + " left this node's timeline " + localTimeline
                + " at " + switchPoint.get());
        boolean rewind = rewindPossible(attempt, control);
        return new Plan(control, localTimeline, sourceTimeline, switchPoint.get(), rewind);
    }

    private boolean rewindPossible(Attempt attempt, ControlData control) throws SQLException, Attempt.Stop {
        boolean fullPageWrites = source.fullPageWrites();
        String detail = "wal_log_hints " + (control.walLogHints() ? "on" : "off") + ", data checksums " + (control.dataChecksums() ? "on" : "off")
                + " (pg_rewind needs one), full_page_writes on the new primary " + (fullPageWrites ? "on" : "off") + " (pg_rewind needs it)";
        boolean possible = control.rewindable() && fullPageWrites;
        if (possible) {
            attempt.check("pg_rewind possible", true, detail);
            return true;
        }
        if (!settings.allowBaseBackup()) {
            refuseWith(attempt, "pg_rewind possible", detail, "pg_rewind cannot be used (" + detail + ") and a base backup is not allowed:"
                    + " allow one (the old data directory is kept aside), or turn on wal_log_hints (a restart) before the next failover");
        }
        attempt.check("pg_rewind possible", false, detail + "; a fresh base backup will replace the data directory");
        return false;
    }

    private static Plan refuseWith(Attempt attempt, String check, String detail, String whatToDo) throws Attempt.Stop {
        attempt.check(check, false, detail);
        attempt.error(PHASE, detail, false);
        throw Attempt.refuse(whatToDo);
    }

    private static String firstLine(String text) {
        String stripped = text.strip();
        int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline);
    }
}

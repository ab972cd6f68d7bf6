package dev.drpilot.agent.rejoin;

import dev.drpilot.agent.rejoin.RejoinReport.Divergence;
import dev.drpilot.agent.rejoin.RejoinReport.KeptAside;
import dev.drpilot.agent.rejoin.RejoinReport.Method;
import dev.drpilot.agent.rejoin.RejoinReport.Streaming;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the stopped old primary on this host into a streaming replica of the new primary: checks the
 * {@link Preconditions}, names what the old primary wrote after the divergence point ({@link DiscardedWrites}),
 * rewinds it with {@code pg_rewind -R} — or, when that cannot be used or fails and it is allowed, replaces the data
 * directory by a fresh {@code pg_basebackup -R -X stream}, keeping the old one renamed aside — starts it and waits
 * until both ends say it streams. Never touches a running server, never deletes a data directory. One call of
 * {@link #run()} is one attempt; its {@link RejoinReport} says what happened, and whether retrying may help.
 */
public final class Rejoin {
    private static final Logger LOG = LoggerFactory.getLogger(Rejoin.class);
    private static final Pattern DIVERGED = Pattern.compile("servers diverged at WAL location ([0-9A-F]+/[0-9A-F]+) on timeline (\\d+)");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration POLL = Duration.ofMillis(200);

    private final RejoinSettings settings;
    private final CommandRunner commands;
    private final NewPrimary source;
    private final Clock clock;

    public Rejoin(RejoinSettings settings, Clock clock) {
        this.settings = settings;
        this.commands = new CommandRunner(settings.local().binDirectory(), settings.local().runAs());
        this.source = new NewPrimary(settings.source(), settings.timeouts().command());
        this.clock = clock;
    }

    public RejoinReport run() {
        LocalNode local = settings.local();
        Attempt attempt = new Attempt(local.name(), settings.source().toString(), clock);
        LOG.info("[node={}] rejoin onto {} starts", local.name(), settings.source());
        try {
            Preconditions.Plan plan = attempt.phase("preconditions", () -> new Preconditions(settings, commands, source).check(attempt));
            attempt.divergence(new Divergence(plan.divergence(), plan.localTimeline(), plan.sourceTimeline()));
            DiscardedWrites discarded = attempt.phase("discarded-wal", () -> discarded(attempt, plan));
            attempt.discarded(discarded);
            boolean rewound = plan.rewind() && named(attempt, discarded) && attempt.phase("rewind", () -> rewind(attempt, plan, discarded));
            if (!rewound) {
                if (!settings.allowBaseBackup()) {
                    throw Attempt.fail("pg_rewind failed (see the errors); " + local.dataDirectory() + " may be unusable now. Allow a base backup"
                            + " (the directory is kept aside) and rejoin again");
                }
                attempt.phase("base-backup", () -> baseBackup(attempt));
            }
            attempt.phase("start", () -> start(attempt));
            attempt.phase("confirm-streaming", () -> confirmStreaming(attempt));
            RejoinReport report = attempt.succeeded();
            LOG.info("[node={}] {}", local.name(), report.describe());
            return report;
        } catch (Attempt.Stop stop) {
            RejoinReport report = attempt.stopped(stop);
            LOG.warn("[node={}] {}", local.name(), report.describe());
            return report;
        }
    }

    private DiscardedWrites discarded(Attempt attempt, Preconditions.Plan plan) {
        WalSummary summary = new WalSummary();
        CommandRunner.Result dump = commands.pg(settings.timeouts().walDump(), summary::accept, "pg_waldump",
                "--path=" + settings.local().dataDirectory().resolve("pg_wal"), "--timeline=" + plan.localTimeline(),
                "--start=" + plan.divergence());
        if (dump.timedOut()) {
            attempt.error("discarded-wal", dump.failure(), true);
            return DiscardedWrites.unreadable(plan.divergence(), dump.failure());
        }
        AtomicReference<SQLException> unresolved = new AtomicReference<>();
        DiscardedWrites discarded = summary.finish(plan.divergence(), dump.stderr(), plan.control(), node -> {
            try {
                return source.relationName(node);
            } catch (SQLException e) {
                unresolved.compareAndSet(null, e);
                return Optional.empty();
            }
        });
        discarded.unreadable().ifPresent(why -> attempt.error("discarded-wal", "pg_waldump: " + why, false));
        if (unresolved.get() != null) {
            attempt.error("discarded-wal", "relation names not resolved on the new primary: " + unresolved.get().getMessage(), Sql.retriable(unresolved.get()));
        }
        return discarded;
    }

    /**
     * pg_rewind replaces the WAL it discards: when that WAL could not be read, a rewind would destroy writes nobody
     * named. Then only a base backup, which keeps the whole old directory aside, may go on — or nothing.
     */
    private boolean named(Attempt attempt, DiscardedWrites discarded) throws Attempt.Stop {
        if (discarded.unreadable().isEmpty()) {
            return true;
        }
        String why = discarded.unreadable().get();
        attempt.check("discarded writes named", false, "the WAL after " + discarded.from() + " could not be read: " + why
                + (settings.allowBaseBackup() ? "; not rewinding: a base backup keeps the old directory aside instead" : ""));
        if (!settings.allowBaseBackup()) {
            throw Attempt.refuse("the WAL this node wrote after " + discarded.from() + " could not be read (" + why + ") and pg_rewind would"
                    + " discard it unread: read it (pg_waldump), or allow a base backup, which keeps the data directory aside, and rejoin again");
        }
        return false;
    }

    /** True when pg_rewind succeeded; its failure is recorded and left to the caller's fallback decision. */
    private boolean rewind(Attempt attempt, Preconditions.Plan plan, DiscardedWrites discarded) {
        LocalNode local = settings.local();
        if (!sourceCheckpointed(attempt, plan)) {
            return false;
        }
        List<String> args = new ArrayList<>(List.of("--target-pgdata=" + local.dataDirectory(),
                "--source-server=" + settings.source().conninfo(local.name()), "--write-recovery-conf"));
        // A crashed old primary is recovered first (pg_rewind runs postgres --single): it needs the server's config.
        local.configFile().ifPresent(file -> args.add("--config-file=" + file));
        CommandRunner.Result result = commands.pg(settings.timeouts().rewind(), "pg_rewind", args.toArray(String[]::new));
        if (!result.succeeded()) {
            attempt.error("rewind", result.failure(), result.timedOut());
            return false;
        }
        Matcher diverged = DIVERGED.matcher(result.stderr() + "\n" + result.stdout());
        if (!diverged.find()) {
            // "same timeline, no rewind required" while this node has WAL the new primary lacks: it could never follow.
            attempt.check("pg_rewind agrees on the divergence point", false, "pg_rewind named none: " + lastLine(result.stderr()));
            if (!discarded.nothing()) {
                attempt.error("rewind", "pg_rewind did not rewind (" + lastLine(result.stderr()) + ") although this node wrote after "
                        + plan.divergence(), false);
                return false;
            }
            attempt.method(Method.REWIND);
            return true;
        }
        attempt.method(Method.REWIND);
        Lsn lsn = Lsn.parse(diverged.group(1));
        int timeline = Integer.parseInt(diverged.group(2));
        boolean agrees = lsn.equals(plan.divergence()) && timeline == plan.localTimeline();
        attempt.check("pg_rewind agrees on the divergence point", agrees, "pg_rewind: " + lsn + " on timeline " + timeline);
        return true;
    }

    /**
     * pg_rewind takes the source's timeline from its latest checkpoint, which after a promotion stays on the old
     * timeline until the first checkpoint (spread over minutes): then it sees no divergence and rewinds nothing.
     * A CHECKPOINT on the new primary first, when its checkpoint is behind, as Patroni does.
     */
    private boolean sourceCheckpointed(Attempt attempt, Preconditions.Plan plan) {
        try {
            int checkpointTimeline = source.checkpointTimeline();
            if (checkpointTimeline < plan.sourceTimeline()) {
                source.checkpoint();
                attempt.check("new primary checkpointed on its timeline", true, "ran CHECKPOINT on " + settings.source() + ": its latest checkpoint was on timeline "
                        + checkpointTimeline + ", not " + plan.sourceTimeline());
            }
            return true;
        } catch (SQLException e) {
            attempt.check("new primary checkpointed on its timeline", false, e.getMessage());
            attempt.error("rewind", "CHECKPOINT on " + settings.source() + " (superuser or pg_checkpoint needed): " + e.getMessage(), Sql.retriable(e));
            return false;
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    private Void baseBackup(Attempt attempt) throws Attempt.Stop {
        Path dir = settings.local().dataDirectory();
        String stamp = STAMP.format(clock.instant());
        Path fresh = dir.resolveSibling(dir.getFileName() + ".rejoin-" + stamp);
        Path aside = dir.resolveSibling(dir.getFileName() + ".before-rejoin-" + stamp);
        CommandRunner.Result result = commands.pg(settings.timeouts().baseBackup(), "pg_basebackup", "--pgdata=" + fresh,
                "--dbname=" + settings.source().conninfo(settings.local().name()), "--write-recovery-conf", "--wal-method=stream",
                "--checkpoint=fast");
        if (!result.succeeded()) {
            // pg_basebackup removes the directory it created when it fails; the data directory is as it was.
            attempt.error("base-backup", result.failure(), true);
            throw Attempt.fail("the base backup from " + settings.source() + " failed (see the errors); " + dir + " was not replaced. Rejoin again");
        }
        try {
            Files.move(dir, aside);
        } catch (IOException e) {
            attempt.error("base-backup", "could not move " + dir + " aside to " + aside + ": " + e, false);
            throw Attempt.fail("the fresh copy is in " + fresh + " and the old data directory still at " + dir + ": move the old one aside and"
                    + " the fresh one into its place by hand, or remove the fresh one and rejoin again");
        }
        attempt.method(Method.BASE_BACKUP);
        attempt.keptAside(new KeptAside(aside, sizeOf(aside)));
        try {
            Files.move(fresh, dir);
        } catch (IOException e) {
            attempt.error("base-backup", "could not move " + fresh + " to " + dir + ": " + e, false);
            throw Attempt.fail("the fresh copy is in " + fresh + ", the old data directory was moved to " + aside + ": move " + fresh + " to " + dir + " by hand");
        }
        return null;
    }

    private Void start(Attempt attempt) throws Attempt.Stop {
        LocalNode local = settings.local();
        List<String> args = new ArrayList<>(List.of("start", "-D", local.dataDirectory().toString(), "-l", local.logFile().toString(), "-w",
                "-t", Long.toString(settings.timeouts().start().toSeconds())));
        if (!local.serverOptions().isBlank()) {
            args.addAll(List.of("-o", local.serverOptions()));
        }
        // pg_ctl waits up to -t itself; the runner's bound is a little longer so that pg_ctl's own message is what we see.
        CommandRunner.Result result = commands.pg(settings.timeouts().start().plusSeconds(5), "pg_ctl", args.toArray(String[]::new));
        if (!result.succeeded()) {
            attempt.error("start", result.failure(), result.timedOut());
            throw Attempt.fail(local.dataDirectory() + " is set up as a replica of " + settings.source() + " but did not start: see " + local.logFile());
        }
        return null;
    }

    private Void confirmStreaming(Attempt attempt) throws Attempt.Stop {
        long deadline = System.nanoTime() + settings.timeouts().streaming().toNanos();
        String last = "no answer yet";
        while (true) {
            try {
                Optional<Streaming> streaming = streaming();
                if (streaming.isPresent()) {
                    attempt.streaming(streaming.get());
                    attempt.check("streams from the new primary", true, "WAL receiver " + streaming.get().receiverStatus() + " from "
                            + streaming.get().sender() + "; " + settings.source() + " sees " + settings.local().name() + " " + streaming.get().replicationState());
                    return null;
                }
                last = "not streaming yet";
            } catch (SQLException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() - deadline > 0) {
                attempt.check("streams from the new primary", false, last);
                attempt.error("confirm-streaming", "not streaming from " + settings.source() + " after " + settings.timeouts().streaming().toSeconds()
                        + " s: " + last, true);
                throw Attempt.fail(settings.local().name() + " started as a replica of " + settings.source() + " but does not stream: see "
                        + settings.local().logFile() + " and the new primary's pg_hba.conf / replication slots");
            }
            try {
                Thread.sleep(POLL.toMillis());   // polling servers we get no events from
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Attempt.fail("interrupted while waiting for " + settings.local().name() + " to stream");
            }
        }
    }

    /** Present when the node's WAL receiver streams from the source and the source lists it as streaming. */
    private Optional<Streaming> streaming() throws SQLException {
        LocalNode local = settings.local();
        SourceServer server = settings.source();
        try (Connection connection = Sql.connect(local.jdbcUrl(), server.user(), settings.timeouts().command());
             Statement statement = connection.createStatement();
             ResultSet receiver = statement.executeQuery("SELECT status, sender_host, sender_port FROM pg_stat_wal_receiver")) {
            if (!receiver.next() || !"streaming".equals(receiver.getString(1))) {
                return Optional.empty();
            }
            String sender = receiver.getString(2) + ":" + receiver.getInt(3);
            if (!sender.equals(server.host() + ":" + server.port())) {
                return Optional.empty();
            }
            Optional<String> state = source.replicationState(local.name());
            return state.filter("streaming"::equals).map(s -> new Streaming("streaming", sender, s));
        }
    }

    private static long sizeOf(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return -1;
        }
    }
}

package dev.drpilot.recovery;

import dev.drpilot.config.BackupSource;
import dev.drpilot.config.Component;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.RestoreCheckSettings;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.RestoreCheckQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One restore check, start to end: refuse unless it is safe, restore the newest backup into the
 * scratch directory, recover to the target, run the check queries, stop, remove — and say what
 * happened as a {@link RestoreCheck}. The whole restore is bounded by the component's RTO: a
 * restore that would take longer is stopped there and reported as exceeding it.
 */
public final class RestoreCheckRunner {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreCheckRunner.class);

    private final DrpilotConfig config;
    private final Clock clock;
    private final String host;
    private final Path lockFile;

    public RestoreCheckRunner(DrpilotConfig config, Clock clock, String host, Path lockFile) {
        this.config = config;
        this.clock = clock;
        this.host = host;
        this.lockFile = lockFile;
    }

    public RestoreCheckRunner(DrpilotConfig config, String host) {
        this(config, Clock.systemUTC(), host, HostLock.DEFAULT);
    }

    /** The components that have a restore check configured, in configuration order. */
    public static List<String> components(DrpilotConfig config) {
        return config.backups().stream().filter(backup -> backup.restoreCheck().isPresent()).map(BackupSource::component).toList();
    }

    /**
     * What would refuse a restore check on this host now, each naming its key: a scratch directory that is
     * not empty. For {@code drpilot config check}, which runs where the checks run.
     */
    public static List<String> hostProblems(DrpilotConfig config) {
        List<String> problems = new ArrayList<>();
        List<BackupSource> backups = config.backups();
        for (int i = 0; i < backups.size(); i++) {
            String path = "backups[" + i + "].restoreCheck.scratchDirectory";
            backups.get(i).restoreCheck().flatMap(check -> ScratchDirectory.refusal(check.scratchDirectory()))
                    .ifPresent(problem -> problems.add(path + ": " + problem));
        }
        return problems;
    }

    /** The configured target: now − the component's RPO by default (latest when it has none). */
    public RestoreTarget defaultTarget(String component) {
        RestoreCheckSettings settings = source(component).restoreCheck().orElseThrow();
        Optional<Duration> rpo = config.component(component).flatMap(Component::rpo);
        if (settings.target() == RestoreCheckSettings.Target.LATEST || rpo.isEmpty()) {
            return RestoreTarget.latest();
        }
        return RestoreTarget.at(clock.instant().minus(rpo.get()));
    }

    /** @throws IllegalArgumentException when the component has no restore check configured */
    public RestoreCheck run(String component, RestoreTarget target) {
        BackupSource source = source(component);
        RestoreCheckSettings settings = source.restoreCheck().orElseThrow();
        Component plan = config.component(component).orElseThrow(() -> new IllegalArgumentException("no component named " + component));
        Attempt attempt = new Attempt(component, plan, target, BackupRestorer.of(source, settings).tool(), clock.instant());
        Optional<String> refusal = refusal(settings, configPath(component));
        if (refusal.isPresent()) {
            return attempt.failed("refused: " + refusal.get());
        }
        try (HostLock lock = HostLock.tryAcquire(lockFile).orElse(null)) {
            if (lock == null) {
                return attempt.failed("refused: another restore check is running on this host (" + lockFile + ")");
            }
            // Checked again under the lock: a check that finished meanwhile may have left nothing, or something.
            Optional<String> again = ScratchDirectory.refusal(settings.scratchDirectory());
            if (again.isPresent()) {
                return attempt.failed("refused: " + configPath(component) + ".scratchDirectory: " + again.get());
            }
            return restore(attempt, source, settings);
        } catch (IOException e) {
            return attempt.failed("could not take the host's restore lock " + lockFile + ": " + e.getMessage());
        }
    }

    private RestoreCheck restore(Attempt attempt, BackupSource source, RestoreCheckSettings settings) {
        RestoreCheck event;
        try {
            event = steps(attempt, source, settings);
        } finally {
            cleanUp(attempt.server, settings.scratchDirectory(), attempt);
        }
        if (attempt.cleanupError != null) {
            // A server left running or a directory left behind blocks the next check: the check has not finished cleanly.
            event.setSucceeded(false);
            event.setError((event.getError() == null ? "" : event.getError() + "; ") + "cleanup: " + attempt.cleanupError);
        }
        return event;
    }

    private RestoreCheck steps(Attempt attempt, BackupSource source, RestoreCheckSettings settings) {
        Path scratch = settings.scratchDirectory();
        BackupRestorer restorer = BackupRestorer.of(source, settings);
        CommandRunner runner = CommandRunner.as(settings.osUser());
        Instant deadline = attempt.startedAt.plus(attempt.plan.rto());
        try {
            Optional<String> backup = Optional.empty();
            Optional<Command> listing = restorer.listBackups(attempt.target);
            if (listing.isPresent()) {
                CommandRunner.Result listed = runner.run(listing.get(), remaining(deadline));
                if (!listed.succeeded()) {
                    return attempt.failed(listed.failure(), listed.timedOut());
                }
                backup = Optional.of(restorer.choose(listed.output(), attempt.target));
                attempt.backupName = backup;
            }
            ScratchDirectory.create(scratch, settings.osUser());
            for (Command command : restorer.restore(scratch, attempt.target, backup)) {
                CommandRunner.Result result = runner.run(command, remaining(deadline));
                if (!result.succeeded()) {
                    return attempt.failed(result.timedOut() ? exceeded(attempt) + ": " + result.failure() : result.failure(), result.timedOut());
                }
                attempt.backupName = attempt.backupName.or(() -> restorer.backupName(result.output()));
            }
            attempt.backupName = attempt.backupName.or(() -> backupLabel(scratch));
            Path bin = settings.pgBin().orElseGet(() -> PostgresBinaries.forDataDirectory(scratch));
            ScratchServer server = new ScratchServer(scratch, settings.port(), bin, runner, settings.environment());
            attempt.server = server;
            server.configure(restorer.recoverySettings(attempt.target), settings.osUser());
            Optional<String> startFailure = server.start(remaining(deadline));
            if (startFailure.isPresent()) {
                return attempt.failed(startFailure.get(), !clock.instant().isBefore(deadline));
            }
            Optional<String> notPromoted = server.awaitPromoted(deadline, settings.queryTimeout());
            if (notPromoted.isPresent()) {
                boolean overran = !clock.instant().isBefore(deadline);
                return attempt.failed(overran ? exceeded(attempt) + ": " + notPromoted.get() : notPromoted.get(), overran);
            }
            attempt.finishedRestore = clock.instant();
            attempt.recoveryPoint = server.recoveryPoint(settings.queryTimeout());
            for (RestoreCheckSettings.Check check : settings.checks()) {
                attempt.checks.add(CheckQuery.run(server, check, settings.queryTimeout()));
            }
            return attempt.finished();
        } catch (IOException | IllegalStateException e) {
            return attempt.failed("restore into " + scratch + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return attempt.failed("interrupted");
        }
    }

    private static void cleanUp(ScratchServer server, Path scratch, Attempt attempt) {
        if (server != null) {
            server.stop().ifPresent(failure -> attempt.cleanupError(failure));
        }
        try {
            ScratchDirectory.remove(scratch);
        } catch (IOException e) {
            attempt.cleanupError("could not remove " + scratch + ": " + e.getMessage());
        }
    }

    private Duration remaining(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static String exceeded(Attempt attempt) {
        return "the restore exceeded the RTO (" + attempt.plan.rto() + ") and was stopped";
    }

    private Optional<String> refusal(RestoreCheckSettings settings, String path) {
        Optional<String> directory = ScratchDirectory.refusal(settings.scratchDirectory());
        if (directory.isPresent()) {
            return Optional.of(path + ".scratchDirectory: " + directory.get());
        }
        if (listening(settings.port())) {
            return Optional.of(path + ".port: something already listens on 127.0.0.1:" + settings.port()
                    + "; a restore check never starts a server on a port in use");
        }
        return Optional.empty();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<String> backupLabel(Path dataDirectory) {
        try {
            Path label = dataDirectory.resolve("backup_label");
            if (Files.exists(label)) {
                for (String line : Files.readAllLines(label)) {
                    if (line.startsWith("LABEL: ")) {
                        return Optional.of(line.substring("LABEL: ".length()).strip());
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read the restored backup's label in {}", dataDirectory, e);
        }
        return Optional.empty();
    }

    private BackupSource source(String component) {
        return config.backups().stream().filter(backup -> backup.component().equals(component) && backup.restoreCheck().isPresent())
                .findFirst().orElseThrow(() -> new IllegalArgumentException("component " + component + " has no restore check configured"
                        + (components(config).isEmpty() ? " (no component has one: add backups[].restoreCheck)"
                        : " (components with one: " + String.join(", ", components(config)) + ")")));
    }

    Path lockFile() {
        return lockFile;
    }

    private String configPath(String component) {
        List<BackupSource> backups = config.backups();
        for (int i = 0; i < backups.size(); i++) {
            if (backups.get(i).component().equals(component) && backups.get(i).restoreCheck().isPresent()) {
                return "backups[" + i + "].restoreCheck";
            }
        }
        return "restoreCheck";
    }

    /** What one check has found so far, turned into the published event at the end. */
    private final class Attempt {
        private final String component;
        private final Component plan;
        private final RestoreTarget target;
        private final BackupTool tool;
        private final Instant startedAt;
        private final List<RestoreCheckQuery> checks = new ArrayList<>();
        private Optional<String> backupName = Optional.empty();
        private Optional<Instant> recoveryPoint = Optional.empty();
        private Instant finishedRestore;
        private ScratchServer server;
        private String cleanupError;

        private Attempt(String component, Component plan, RestoreTarget target, BackupTool tool, Instant startedAt) {
            this.component = component;
            this.plan = plan;
            this.target = target;
            this.tool = tool;
            this.startedAt = startedAt;
        }

        void cleanupError(String error) {
            LOG.warn("restore check of {}: {}", component, error);
            cleanupError = error;
        }

        RestoreCheck failed(String error) {
            return failed(error, false);
        }

        RestoreCheck failed(String error, boolean exceededRto) {
            LOG.warn("restore check of {} failed: {}", component, error);
            return event(false, Optional.of(error), exceededRto, Duration.between(startedAt, clock.instant()));
        }

        RestoreCheck finished() {
            Duration took = Duration.between(startedAt, finishedRestore);
            boolean exceeded = took.compareTo(plan.rto()) > 0;
            List<String> failedChecks = checks.stream().filter(check -> !check.getPassed()).map(check -> check.getName().toString()).toList();
            Optional<String> error = exceeded ? Optional.of("the restore took " + took + ", longer than the RTO (" + plan.rto() + ")")
                    : failedChecks.isEmpty() ? Optional.empty() : Optional.of("check queries failed: " + String.join(", ", failedChecks));
            return event(error.isEmpty(), error, exceeded, took);
        }

        private RestoreCheck event(boolean succeeded, Optional<String> error, boolean exceededRto, Duration took) {
            return RestoreCheck.newBuilder()
                    .setCheckedAt(clock.instant()).setComponent(component).setHost(host)
                    .setSucceeded(succeeded).setError(error.orElse(null)).setTool(tool)
                    .setBackupName(backupName.orElse(null)).setTarget(target.kind()).setTargetTime(target.time().orElse(null))
                    .setRecoveryPointAt(recoveryPoint.orElse(null)).setStartedAt(startedAt).setDurationMillis(took.toMillis())
                    .setExceededRto(exceededRto).setRtoMillis(plan.rto().toMillis())
                    .setRpoMillis(plan.rpo().map(Duration::toMillis).orElse(null)).setChecks(List.copyOf(checks))
                    .build();
        }
    }
}

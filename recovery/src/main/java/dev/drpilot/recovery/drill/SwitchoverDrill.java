package dev.drpilot.recovery.drill;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Component;
import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.FailoverCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * A planned switchover to a replica through the failover actuator, with the application's writes going on: admission
 * (pause, open incidents), the topology as the nodes answer it, the target's lag, the switchover, writes on the new
 * primary, and — when asked — the switch back once the old primary follows again; then the acknowledged rows counted on
 * the final primary and the measured RTO and RPO judged against the component's targets.
 */
final class SwitchoverDrill {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchoverDrill.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final String UNDEFINED_TABLE = "42P01";
    // After the actuator's summary, how long the writer may take to find the new primary.
    private static final Duration WRITABLE_WAIT = Duration.ofSeconds(30);

    private record Topology(NodeConfig primary, NodeConfig target) {
    }

    private record Switch(FailoverCommand command, Instant requestedAt) {
    }

    private final DrpilotConfig config;
    private final Admission admission;
    private final ActuatorRequests actuator;
    private final Clock clock;

    SwitchoverDrill(DrpilotConfig config, ActuatorLink link, OperatorChannel operators, Clock clock) {
        this.config = config;
        this.admission = new Admission(config, link, operators);
        this.actuator = new ActuatorRequests(link, operators, clock);
        this.clock = clock;
    }

    DrillReport run(DrillRun run) {
        DrillSettings.Drill drill = run.drill();
        DrillSettings.Switchover settings = drill.switchover().orElseThrow();
        ClusterConfig cluster = config.clusters().get(drill.cluster().orElseThrow());
        Optional<Component> component = config.component(cluster.component());
        NodeSessions sessions = new NodeSessions(settings.probe());
        ProbeTable table = new ProbeTable(settings.probe().table());
        String name = drill.cluster().orElseThrow();

        run.step("admission", () -> admission.check(run, name, clock.instant(), true));
        Optional<Topology> topology = run.stopped() ? Optional.empty() : run.step("topology", () -> topology(cluster, settings, sessions));
        if (topology.isEmpty()) {
            return finish(run, component, Optional.empty(), Optional.empty(), Optional.empty());
        }
        NodeConfig primary = topology.get().primary();
        NodeConfig target = topology.get().target();
        run.step("replication lag", () -> lag(run, primary, target, sessions, table, settings.maxLag()));
        if (run.stopped()) {
            return finish(run, component, Optional.empty(), Optional.empty(), Optional.empty());
        }

        Optional<Duration> rto = Optional.empty();
        Optional<DrillReport.Rows> rows = Optional.empty();
        Optional<Duration> rpo = Optional.empty();
        try (ProbeWriter writer = new ProbeWriter(cluster.nodes(), sessions, table, run.runId(), settings.probe().writeInterval(), clock).start()) {
            rto = switchTo(run, cluster, primary, target, writer, sessions, table, 1);
            if (!settings.switchBack()) {
                run.skip("switch back", "switchBack is off: " + target.name() + " stays the primary");
            } else if (run.stopped()) {
                run.skip("switch back", "an earlier step did not pass");
            } else {
                run.step("rejoin of " + primary.name(), () -> rejoined(primary, target, sessions, settings.rejoinTimeout()));
                if (!run.stopped()) {
                    switchTo(run, cluster, target, primary, writer, sessions, table, 2);
                }
            }
            writer.close();
            AtomicReference<Map.Entry<DrillReport.Rows, Duration>> counted = new AtomicReference<>();
            run.step("acknowledged rows", () -> counted(run, cluster, writer, sessions, table, counted));
            rows = Optional.ofNullable(counted.get()).map(Map.Entry::getKey);
            rpo = Optional.ofNullable(counted.get()).map(Map.Entry::getValue);
        }
        return finish(run, component, rto, rpo, rows);
    }

    private DrillReport finish(DrillRun run, Optional<Component> component, Optional<Duration> rto, Optional<Duration> rpo,
                               Optional<DrillReport.Rows> rows) {
        Optional<Duration> rtoTarget = component.map(Component::rto);
        Optional<Duration> rpoTarget = component.flatMap(Component::rpo);
        if (rto.isPresent() || rpo.isPresent()) {
            run.step("targets", () -> Targets.judge(rto, rtoTarget, rpo, rpoTarget));
        }
        return run.finish(rtoTarget, rpoTarget, rto, rpo, rows);
    }

    /** The primary the nodes answer as (exactly one), and the target: the configured one, or the best promotable replica. */
    private DrillRun.Result<Topology> topology(ClusterConfig cluster, DrillSettings.Switchover settings, NodeSessions sessions)
            throws DrillStepException {
        List<NodeConfig> primaries = cluster.nodes().stream().filter(node -> sessions.writable(node).orElse(false)).toList();
        if (primaries.size() != 1) {
            throw DrillStepException.refused(primaries.isEmpty() ? "no node of " + cluster.name() + " takes writes"
                            : "more than one node takes writes: " + primaries.stream().map(NodeConfig::name).toList(),
                    "a drill needs one writable primary: look at the cluster first (drpilot failover history, the status page)");
        }
        NodeConfig primary = primaries.get(0);
        List<NodeConfig> candidates = settings.to().map(to -> cluster.node(to).stream().toList())
                .orElseGet(() -> cluster.nodes().stream().filter(NodeConfig::mayBePromoted)
                        .sorted(Comparator.comparingInt(NodeConfig::priority).reversed()).toList());
        Optional<NodeConfig> target = candidates.stream().filter(node -> !node.name().equals(primary.name()))
                .filter(node -> sessions.streamsFrom(node, primary)).findFirst();
        if (target.isEmpty()) {
            throw DrillStepException.refused(settings.to().map(to -> to + " is the primary or does not stream from " + primary.name())
                            .orElse("no promotable replica streams from " + primary.name()),
                    "the target must be a replica streaming from the primary " + primary.name());
        }
        return new DrillRun.Result<>(new Topology(primary, target.get()), "primary " + primary.name() + ", target " + target.get().name()
                + settings.to().map(to -> " (configured)").orElse(" (highest priority among the promotable replicas streaming)"));
    }

    /** A row committed on the primary must appear on the target within {@code maxLag}; otherwise a switchover would wait on it. */
    private DrillRun.Result<Void> lag(DrillRun run, NodeConfig primary, NodeConfig target, NodeSessions sessions, ProbeTable table,
                                      Duration maxLag) throws Exception {
        Instant committed;
        try (Connection connection = sessions.connect(primary)) {
            table.create(connection);
            table.insert(connection, run.runId(), -1, primary.name());
            committed = clock.instant();
        }
        Instant deadline = committed.plus(maxLag);
        try (Connection connection = sessions.connect(target)) {
            while (!replicated(connection, table, run.runId())) {
                if (clock.instant().isAfter(deadline)) {
                    throw DrillStepException.refused("a row committed on " + primary.name() + " did not reach " + target.name()
                            + " within maxLag " + Durations.format(maxLag), "find why " + target.name() + " lags (drpilot's replication-lag alert, "
                            + "pg_stat_replication on " + primary.name() + ") or raise maxLag");
                }
                TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
            }
        }
        Duration lag = Duration.between(committed, clock.instant());
        return new DrillRun.Result<>(null, "a row committed on " + primary.name() + " was on " + target.name() + " after "
                + lag.toMillis() + " ms (maxLag " + Durations.format(maxLag) + ")");
    }

    private static boolean replicated(Connection target, ProbeTable table, String run) throws SQLException {
        try {
            return table.contains(target, run, -1);
        } catch (SQLException e) {
            // The table was just created on the primary: until the target replays that, it has no such table.
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /** Switchover {@code from} → {@code to} and writes on {@code to}: the RTO, when the switch passed. */
    private Optional<Duration> switchTo(DrillRun run, ClusterConfig cluster, NodeConfig from, NodeConfig to, ProbeWriter writer,
                                        NodeSessions sessions, ProbeTable table, int round) {
        String incident = run.runId() + "-switchover-" + round;
        Optional<Switch> done = run.step("switchover to " + to.name(), () -> {
            Instant requested = clock.instant();
            FailoverCommand command = actuator.switchover(incident, cluster.name(), cluster.component(), to.name(),
                    "drill " + run.drill().name() + " (" + run.runId() + "): switchover from " + from.name() + " to " + to.name());
            ActuatorRequests.Outcome outcome = actuator.await(command, run.drill().timeout()).orElseThrow(() -> DrillStepException.failed(
                    "the failover actuator recorded no summary of " + incident + " within " + Durations.format(run.drill().timeout()),
                    "check that drpilot act runs for " + cluster.name() + " (drpilot failover history shows what it did)"));
            if (!outcome.succeeded()) {
                throw DrillStepException.failed("the actuator's switchover " + incident + " ended " + outcome.summary().getStatus()
                        + ": " + outcome.summary().getDetail(), "fix what the actuator's summary names, then run the drill again");
            }
            return new DrillRun.Result<>(new Switch(command, requested), outcome.summary().getDetail());
        });
        if (done.isEmpty()) {
            return Optional.empty();
        }
        Instant requested = done.get().requestedAt();
        return run.step("writes on " + to.name(), () -> {
            Instant deadline = clock.instant().plus(WRITABLE_WAIT);
            Optional<Instant> firstWrite = writer.firstAckOn(to.name(), requested);
            while (firstWrite.isEmpty() && clock.instant().isBefore(deadline)) {
                TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
                firstWrite = writer.firstAckOn(to.name(), requested);
            }
            long probe = -1L - round;
            try (Connection connection = sessions.connect(to)) {
                table.insert(connection, run.runId(), probe, to.name());
                if (!table.contains(connection, run.runId(), probe)) {
                    throw DrillStepException.failed("the probe row written on " + to.name() + " was not read back", "check " + to.name());
                }
            } catch (SQLException e) {
                throw DrillStepException.failed(to.name() + " did not take the probe write: " + e.getMessage(),
                        "the actuator reported the switchover done but " + to.name() + " takes no writes: check it now");
            }
            Instant writable = firstWrite.orElse(clock.instant());
            Duration rto = Duration.between(requested, writable);
            return new DrillRun.Result<>(rto, "probe row written and read back on " + to.name() + "; the drill's writer's first commit there "
                    + DrillReportFormat.seconds(rto) + " (" + rto.toMillis() + " ms) after the switchover was ordered");
        });
    }

    private DrillRun.Result<Void> rejoined(NodeConfig old, NodeConfig primary, NodeSessions sessions, Duration timeout) throws Exception {
        Instant started = clock.instant();
        if (!until(() -> sessions.streamsFrom(old, primary), started.plus(timeout))) {
            throw DrillStepException.failed(old.name() + " did not stream from " + primary.name() + " within rejoinTimeout "
                    + Durations.format(timeout) + "; " + primary.name() + " stays the primary",
                    "rejoin " + old.name() + " as a replica of " + primary.name() + " (its drpilot agent with failover.rejoin: auto does it;"
                            + " by hand: primary_conninfo and a restart, pg_rewind if it diverged), then raise rejoinTimeout if it takes longer");
        }
        return new DrillRun.Result<>(null, old.name() + " streams from " + primary.name() + " after "
                + Duration.between(started, clock.instant()).toMillis() + " ms");
    }

    private boolean until(BooleanSupplier condition, Instant deadline) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (clock.instant().isAfter(deadline)) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
        return true;
    }

    /** The writer's acknowledged rows that the primary now lacks, and how far back they reach. */
    private DrillRun.Result<Void> counted(DrillRun run, ClusterConfig cluster, ProbeWriter writer, NodeSessions sessions, ProbeTable table,
                                          AtomicReference<Map.Entry<DrillReport.Rows, Duration>> counted) throws Exception {
        NodeConfig primary = cluster.nodes().stream().filter(node -> sessions.writable(node).orElse(false)).findFirst()
                .orElseThrow(() -> DrillStepException.failed("no node takes writes to count the rows on", "check " + cluster.name() + " now"));
        Map<Long, ProbeWriter.Ack> acknowledged = writer.acknowledged();
        Map<Long, ProbeWriter.Ack> lost;
        try (Connection connection = sessions.connect(primary)) {
            lost = writer.lost(table.sequences(connection, run.runId()));
            int removed = table.delete(connection, run.runId());
            LOG.debug("[run={}] removed the drill's {} rows from {}", run.runId(), removed, table.name());
        }
        Duration rpo = Rpo.of(acknowledged, lost);
        DrillReport.Rows rows = new DrillReport.Rows(acknowledged.size(), lost.size());
        counted.set(Map.entry(rows, rpo));
        if (!lost.isEmpty()) {
            throw DrillStepException.failed(lost.size() + " of " + acknowledged.size() + " acknowledged rows are missing on " + primary.name()
                    + " (the oldest " + DrillReportFormat.seconds(rpo) + " before the last acknowledged write of its node)",
                    "a switchover must lose nothing: check synchronous_commit and the actuator's promote step (it waits for the target to replay all)");
        }
        return new DrillRun.Result<>(null, acknowledged.size() + " rows acknowledged during the drill, all present on "
                + primary.name());
    }
}

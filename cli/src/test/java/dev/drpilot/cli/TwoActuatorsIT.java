package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.FailoverService;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, "no zombie acts": two {@code drpilot act} processes on one broker, both in the failover group, and a real
 * PostgreSQL primary with two streaming replicas. The primary is killed and a failover command published; the process
 * that gets the command is caught in the middle of its fence step — the fence is a command that waits for the test's word
 * — and there frozen with SIGSTOP (then resumed once the other finished the failover), or killed with SIGKILL. The other
 * process takes the command over when the first one's group session expires and carries the runbook out. A third case
 * resumes the frozen one while the other is itself in the fence: two actuators in the same runbook at once.
 *
 * <p>Whatever the first process does when it comes back, the incident's record, as every reader sees it (read_committed),
 * has each step SUCCEEDED exactly once and one summary, and PostgreSQL's own history has exactly one timeline switch: one
 * promotion, the other replica following the new primary, the old primary not back.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class TwoActuatorsIT {
    private static final List<String> STEPS = List.of("1-check", "2-fence", "3-promote", "4-repoint", "5-verify");
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final String FENCE_RUN = ".fence-run";

    @TempDir
    Path work;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private final long began = System.nanoTime();
    private String cluster;
    private String incident;
    private PostgresCluster pg;
    private Admin admin;
    private ActionsWatch watch;
    private final List<ActuatorProcess> actuators = new ArrayList<>();
    /** The actuator that got the command first, and how long its log was when it was resumed. */
    private ActuatorProcess first;
    private long firstLogLinesBeforeResume;

    @AfterEach
    void closeEverything() throws Exception {
        // The fence of a killed actuator runs on as an orphan: released, it ends.
        Files.writeString(work.resolve("release"), "");
        Exception failure = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Test
    void anActuatorFrozenMidStepAndResumedAfterTheOtherFinishedRepeatsNothing(EmbeddedKafkaBroker broker) throws Exception {
        begin(broker, "zombie-frozen");
        explained(() -> {
            ActuatorProcess runner = awaitTheFenceRunner();
            ActuatorProcess other = otherThan(runner);
            runner.freeze();
            lap("frozen mid-fence");
            releaseTheFence();
            ActionRecord summary = awaitSummary();
            lap("summary by the other actuator");
            assertThat(summary.getStatus()).as("the summary written while " + runner.name() + " was frozen").isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(fenceRuns()).as("the fence was run again by the actuator that took over").contains(other.name());

            long linesBefore = runner.log().lines().count();
            firstLogLinesBeforeResume = linesBefore;
            runner.thaw();
            // Settled: it said something about the cluster since it resumed (what it did with its step under way, or that it
            // was fenced) and it is back in the failover group, polling again — or it exited, or reports a dead worker. The
            // graceful stop that follows lets a step under way finish and record itself, so a zombie act is not cut short:
            // whatever it does next begins by recording the step it was in.
            await("the resumed " + runner.name() + " to settle: logging about " + cluster + " and back in the failover group,"
                    + " or exited, or reporting a dead worker").atMost(AWAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> !runner.alive() || runner.reportsDeadWorker()
                            || runner.log().lines().skip(linesBefore).anyMatch(line -> line.contains(cluster))
                            && groupServesEveryCommandPartition(2));
            lap("resumed actuator settled");
            List<ActionRecord> records = stopActuatorsAndReadTheIncident();
            assertEachStepOnceAndOnePromotion(records);
        });
        report("frozen (SIGSTOP) mid-fence, resumed after the other finished");
    }

    /**
     * The zombie of the words: one that lost its partition finishing a step while the other runs the same runbook.
     * The first runner is frozen in its fence; the other takes over and is itself in the fence when the first one is
     * resumed with its fence ended.
     */
    @Test
    void anActuatorResumedWhileTheOtherRunsTheSameRunbookFinishesNothing(EmbeddedKafkaBroker broker) throws Exception {
        begin(broker, "zombie-overlap");
        explained(() -> {
            ActuatorProcess runner = awaitTheFenceRunner();
            ActuatorProcess other = otherThan(runner);
            runner.freeze();
            lap("frozen mid-fence");
            await("the other actuator to take the command over and run the fence").atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> fenceRuns().size() == 2);
            assertThat(fenceRuns()).containsExactly(runner.name(), other.name());
            lap("the other actuator in the fence");
            firstLogLinesBeforeResume = runner.log().lines().count();
            releaseTheFence(fenceRunsInOrder().get(0));
            runner.thaw();
            // What it does with the step it was in shows in its log (the step's end, or that it was fenced) or in its exit.
            await("the resumed " + runner.name() + " to log about " + cluster + " while " + other.name() + " is in the fence")
                    .atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> !runner.alive() || runner.reportsDeadWorker()
                            || runner.log().lines().skip(firstLogLinesBeforeResume).anyMatch(line -> line.contains(cluster)));
            lap("resumed actuator logged");
            releaseTheFence();
            awaitSummary();
            lap("summary");
            List<ActionRecord> records = stopActuatorsAndReadTheIncident();
            assertEachStepOnceAndOnePromotion(records);
        });
        report("frozen (SIGSTOP) mid-fence, resumed while the other was in the fence");
    }

    @Test
    void anActuatorKilledMidStepIsReplacedWithoutAStepRepeated(EmbeddedKafkaBroker broker) throws Exception {
        begin(broker, "zombie-killed");
        explained(() -> {
            ActuatorProcess runner = awaitTheFenceRunner();
            ActuatorProcess other = otherThan(runner);
            runner.kill();
            lap("killed mid-fence");
            releaseTheFence();
            ActionRecord summary = awaitSummary();
            lap("summary by the other actuator");
            assertThat(summary.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(fenceRuns()).as("the fence was run again by the actuator that took over").contains(other.name());
            List<ActionRecord> records = stopActuatorsAndReadTheIncident();
            assertEachStepOnceAndOnePromotion(records);
        });
        report("killed (SIGKILL) mid-fence");
    }

    /**
     * A primary with two streaming replicas, two actuators both serving the failover group, the primary killed and the
     * command published: one of the actuators is on its way to the fence.
     */
    private void begin(EmbeddedKafkaBroker broker, String prefix) throws Exception {
        cluster = TestNames.unique(prefix);
        incident = cluster + "-incident";
        pg = PostgresCluster.start(cluster, 2);
        opened.push(pg);
        lap("PostgreSQL primary + 2 replicas started");
        admin = Admin.create(broker.clientProperties());
        opened.push(admin);
        Path config = Files.writeString(work.resolve("drpilot.yaml"), config(fenceScript()));
        for (String name : List.of("actuator-a", "actuator-b")) {
            ActuatorProcess actuator = ActuatorProcess.start(name, config, broker.bootstrapServers(), work);
            actuators.add(actuator);
            opened.push(actuator);
        }
        explained(() -> {
            for (ActuatorProcess actuator : actuators) {
                actuator.awaitRunning(Duration.ofSeconds(90));
            }
            lap("both actuators running");
            // The command is published only once both serve the group: a member joining later would start a rebalance
            // in the middle of the runbook, and the test would not know who runs what.
            await("both actuators in the failover group, every command partition assigned").atMost(AWAIT)
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> groupServesEveryCommandPartition(2));
            lap("failover group stable with both");
        });
        watch = new ActionsWatch(broker, incident);
        opened.push(watch);
        pg.primary().kill();
        Instant now = Instant.now();
        FailoverCommand command = FailoverCommand.newBuilder().setCommandId(incident + "/failover").setIncidentId(incident)
                .setCluster(cluster).setComponent(cluster + "-db").setFailedNode(pg.primary().name())
                .setReason("primary killed by " + getClass().getSimpleName()).setMode(FailoverMode.AUTO).setDetectedAt(now).setIssuedAt(now)
                .build();
        try (KafkaProducer<String, FailoverCommand> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), cluster, command)).get(30, TimeUnit.SECONDS);
        }
        lap("primary killed, command published");
    }

    /**
     * check → fence (a command that waits for the test's word) → promote → repoint the other replica → verify. Kafka
     * settings as short as the broker allows (group.min.session.timeout.ms, 6 s): a frozen or killed member loses its
     * partitions 6 s after its last heartbeat.
     */
    private String config(Path fence) {
        StringBuilder nodes = new StringBuilder();
        for (PostgresNode node : pg.nodes()) {
            nodes.append("      - {name: ").append(node.name()).append(", host: ").append(node.host()).append(", port: ").append(node.port())
                    .append(", user: postgres")
                    .append(node == pg.primary() ? ", role: primary" : node == pg.replica(0) ? ", priority: 80" : ", priority: 40")
                    .append("}\n");
        }
        return """
                kafka:
                  properties:
                    session.timeout.ms: "6000"
                    heartbeat.interval.ms: "1000"
                components: [{name: %1$s-db, kind: database}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes:
                %2$s    failover: {mode: auto, runbook: zombie}
                runbooks:
                  zombie:
                    steps:
                      - {type: check, timeout: 10s}
                      - {type: fence, method: command, command: "sh %3$s", timeout: 60s}
                      - {type: promote, method: postgres, timeout: 30s}
                      - {type: repoint, method: replicas, timeout: 30s}
                      - {type: verify, timeout: 30s}
                """.formatted(cluster, nodes, fence);
    }

    /**
     * A fence that lasts until the test releases it, all runs or this one (at most 60 s). Each run leaves a file naming its
     * own pid, its parent's and its grandparent's: the actuator's JVM is one of them (through {@code sh -c}), even after the
     * run ended.
     */
    private Path fenceScript() throws IOException {
        return Files.writeString(work.resolve("fence.sh"), """
                #!/bin/sh
                grandparent=$(awk '{print $4}' /proc/$PPID/stat)
                echo "$$ $PPID $grandparent" > "%1$s/$$.tmp" && mv "%1$s/$$.tmp" "%1$s/$$%2$s"
                i=0
                while [ ! -e "%1$s/release" ] && [ ! -e "%1$s/$$.release" ]; do
                  i=$((i + 1))
                  if [ "$i" -gt 1200 ]; then echo "never released"; exit 1; fi
                  sleep 0.05
                done
                echo "fenced $DRPILOT_NODE"
                """.formatted(work, FENCE_RUN));
    }

    /** The actuator whose fence command is running now, waiting for the release: it has the command. */
    private ActuatorProcess awaitTheFenceRunner() throws IOException {
        await("an actuator to run the fence").atMost(AWAIT).pollInterval(Duration.ofMillis(50)).until(() -> !fenceRuns().isEmpty());
        lap("fence under way");
        List<String> runners = fenceRuns();
        assertThat(runners).as("fence runs so far").hasSize(1).doesNotContain("?");
        first = actuators.stream().filter(actuator -> actuator.name().equals(runners.get(0))).findFirst().orElseThrow();
        return first;
    }

    private ActuatorProcess otherThan(ActuatorProcess runner) {
        return actuators.stream().filter(actuator -> actuator != runner).findFirst().orElseThrow();
    }

    private void releaseTheFence() throws IOException {
        Files.writeString(work.resolve("release"), "");
    }

    /** Releases one run of the fence: it ends, the others go on waiting. */
    private void releaseTheFence(FenceRun run) throws IOException {
        Files.writeString(work.resolve(run.pid() + ".release"), "");
    }

    /** Who ran the fence, one name per run, oldest first ("?" for a run by neither actuator). */
    private List<String> fenceRuns() throws IOException {
        return fenceRunsInOrder().stream().map(FenceRun::runner).toList();
    }

    private List<FenceRun> fenceRunsInOrder() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(work)) {
            files = listing.filter(file -> file.getFileName().toString().endsWith(FENCE_RUN)).toList();
        }
        List<FenceRun> runs = new ArrayList<>();
        for (Path file : files) {
            List<Long> pids = Arrays.stream(Files.readString(file).trim().split("\\s+")).map(Long::parseLong).toList();
            String runner = actuators.stream().filter(actuator -> pids.contains(actuator.pid())).map(ActuatorProcess::name).findFirst().orElse("?");
            runs.add(new FenceRun(pids.get(0), runner, Files.getLastModifiedTime(file).toMillis()));
        }
        runs.sort(Comparator.comparingLong(FenceRun::startedAt));
        return runs;
    }

    /** One run of the fence command: the script's pid, the actuator that ran it, when it began (epoch ms). */
    private record FenceRun(long pid, String runner, long startedAt) {
    }

    private ActionRecord awaitSummary() {
        String summary = incident + "/summary";
        AtomicReference<ActionRecord> found = new AtomicReference<>();
        await("the incident's summary on drpilot.actions").atMost(AWAIT).pollInSameThread().pollInterval(Duration.ofMillis(100)).until(() -> {
            watch.poll().stream().filter(record -> summary.equals(record.getActionId())).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    /** Whether the failover group is stable with {@code members} members and every partition of the commands topic assigned. */
    private boolean groupServesEveryCommandPartition(int members) throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(FailoverService.GROUP)).describedGroups()
                .get(FailoverService.GROUP).get(10, TimeUnit.SECONDS);
        int partitions = admin.describeTopics(List.of(Topics.FAILOVER_COMMANDS.name())).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(Topics.FAILOVER_COMMANDS.name()).partitions().size();
        long assigned = group.members().stream().flatMap(member -> member.assignment().topicPartitions().stream())
                .filter(partition -> partition.topic().equals(Topics.FAILOVER_COMMANDS.name())).distinct().count();
        return group.groupState() == GroupState.STABLE && group.members().size() == members && assigned == partitions;
    }

    /** Stops both (nothing written after this can come from them) and reads the incident's whole record. */
    private List<ActionRecord> stopActuatorsAndReadTheIncident() throws InterruptedException {
        actuators.forEach(ActuatorProcess::askToStop);   // side by side: each takes a few seconds to stop cleanly
        for (ActuatorProcess actuator : actuators) {
            actuator.stop();
        }
        lap("actuators stopped");
        return watch.readToEnd();
    }

    private void assertEachStepOnceAndOnePromotion(List<ActionRecord> records) throws Exception {
        PostgresNode promoted = pg.replica(0);
        PostgresNode follower = pg.replica(1);
        // PostgreSQL's own account first: one promotion is one timeline switch, 1 → 2, and one history file in the cluster.
        assertThat(promoted.isInRecovery()).as(promoted.name() + " in recovery").isFalse();
        promoted.execute("CHECKPOINT");
        assertThat(query(promoted, "SELECT timeline_id FROM pg_control_checkpoint()")).as("timeline of " + promoted.name()).containsExactly("2");
        assertThat(historyFiles(promoted)).as("timeline history files of " + promoted.name()).containsExactly("00000002.history");
        await(follower.name() + " streaming from " + promoted.name() + " on timeline 2").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(query(follower,
                        "SELECT status || ' from port ' || sender_port || ' on timeline ' || received_tli FROM pg_stat_wal_receiver"))
                        .containsExactly("streaming from port " + promoted.port() + " on timeline 2"));
        assertThat(follower.isInRecovery()).as(follower.name() + " in recovery").isTrue();
        assertThat(historyFiles(follower)).as("timeline history files of " + follower.name()).containsExactly("00000002.history");
        assertThat(pg.primary().isRunning()).as("the old primary running").isFalse();
        try (Stream<Path> wal = Files.list(pg.primary().dataDir().resolve("pg_wal"))) {
            assertThat(wal.map(file -> file.getFileName().toString())).as("timeline history files of the old primary")
                    .noneMatch(file -> file.endsWith(".history"));
        }

        // The audit trail as every reader sees it: each step and the summary SUCCEEDED once (all counts in one message).
        Map<String, Long> succeeded = new LinkedHashMap<>();
        Map<String, Long> once = new LinkedHashMap<>();
        for (String action : Stream.concat(STEPS.stream(), Stream.of("summary")).toList()) {
            succeeded.put(action, records.stream().filter(record -> (incident + "/" + action).equals(record.getActionId())
                    && record.getStatus() == ActionStatus.SUCCEEDED).count());
            once.put(action, 1L);
        }
        assertThat(succeeded).as("SUCCEEDED records per step of " + incident).containsExactlyEntriesOf(once);
        assertThat(records).as("records of a failed or refused step or summary")
                .noneMatch(record -> record.getStatus() == ActionStatus.FAILED || record.getStatus() == ActionStatus.REFUSED);
        assertThat(records).as("summaries").filteredOn(record -> (incident + "/summary").equals(record.getActionId())).singleElement()
                .satisfies(summary -> assertThat(summary.getAttributes()).containsEntry("oldPrimary", pg.primary().name())
                        .containsEntry("newPrimary", promoted.name()));
    }

    private static List<String> historyFiles(PostgresNode node) throws SQLException {
        return query(node, "SELECT name FROM pg_ls_waldir() WHERE name LIKE '%.history' ORDER BY name");
    }

    private static List<String> query(PostgresNode node, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }

    /** Runs a part of the scenario; when it fails, the failure says what each actuator logged and what was recorded. */
    private void explained(Scenario scenario) throws Exception {
        try {
            scenario.run();
        } catch (Exception | AssertionError e) {
            StringBuilder story = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
            story.append("\n\n==== what happened (").append(cluster).append("): ").append(timings).append('\n');
            story.append("fence runs, oldest first: ").append(fenceRuns()).append('\n');
            if (watch != null) {
                watch.poll();
                story.append(watch.describe());
            }
            actuators.forEach(actuator -> story.append(actuator.describe()).append('\n'));
            throw new AssertionError(story.toString(), e);
        }
    }

    private void lap(String what) {
        timings.put(what, Duration.ofNanos(System.nanoTime() - began).toMillis());
    }

    /** Timings, who ran the fence, the incident's record, and what the first runner logged about the cluster (since it resumed). */
    private void report(String scenario) throws IOException {
        System.out.printf("two actuators, one %s: fence runs %s; ms since start: %s%n%s%s logged about %s%s:%n%s%n", scenario, fenceRuns(),
                timings, watch.describe(), first.name(), cluster, firstLogLinesBeforeResume > 0 ? " since it resumed" : "",
                String.join("\n", first.log().lines().skip(firstLogLinesBeforeResume).filter(line -> line.contains(cluster)).toList()));
    }

    @FunctionalInterface
    private interface Scenario {
        void run() throws Exception;
    }
}

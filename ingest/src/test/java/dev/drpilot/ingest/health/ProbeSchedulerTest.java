package dev.drpilot.ingest.health;

import dev.drpilot.config.PostgresRefusal;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProbeSchedulerTest {
    private static final Source SOURCE = Source.newBuilder().setCollectorId("c1").setVantage("eu").build();

    private final MockProducer<String, HealthObservation> producer = new MockProducer<>(true, null,
            Serdes.String().serializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().serializer());
    private final CountDownLatch release = new CountDownLatch(1);
    private ProbeScheduler scheduler;

    @AfterEach
    void stop() {
        release.countDown();
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private static HealthCheck check(String target, java.util.concurrent.Callable<ProbeOutcome> body) {
        return new HealthCheck() {
            @Override
            public String target() {
                return target;
            }

            @Override
            public ProbeOutcome check() throws Exception {
                return body.call();
            }
        };
    }

    private static ScheduledProbe probe(String name, Duration interval, Duration timeout, HealthCheck check) {
        return new ScheduledProbe(name, ProbeKind.POSTGRES, "orders-db", Optional.of("orders"), Optional.of(name),
                interval, timeout, check);
    }

    private List<HealthObservation> observationsOf(String probe) {
        return producer.history().stream().map(record -> record.value()).filter(o -> o.getProbe().equals(probe)).toList();
    }

    @Test
    void aHungCheckFailsAtItsTimeoutAndDoesNotDelayTheOtherProbes() {
        // Generous margins between timeout and interval: the deadline must fire before the next tick even on a busy machine.
        ScheduledProbe hung = probe("hung", Duration.ofMillis(1000), Duration.ofMillis(200), check("10.255.255.1:5432", () -> {
            release.await();
            return ProbeOutcome.ok(NodeRole.PRIMARY, Map.of());
        }));
        ScheduledProbe healthy = probe("healthy", Duration.ofMillis(100), Duration.ofSeconds(2),
                check("127.0.0.1:5432", () -> ProbeOutcome.ok(NodeRole.REPLICA, Map.of())));
        scheduler = new ProbeScheduler(List.of(hung, healthy), SOURCE, producer, Clock.systemUTC());
        scheduler.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> observationsOf("hung").size() >= 3 && observationsOf("healthy").size() >= 10);

        List<HealthObservation> hungRuns = observationsOf("hung");
        assertThat(hungRuns.get(0).getOk()).isFalse();
        assertThat(hungRuns.get(0).getError()).isEqualTo("timed out after 200 ms");
        assertThat(hungRuns.get(0).getLatencyMillis()).isNull();
        // The stuck run is not stacked: later ticks say so instead of starting another one.
        assertThat(hungRuns.subList(1, hungRuns.size())).allSatisfy(run -> assertThat(run.getError())
                .isEqualTo("previous probe still running past its 200 ms timeout (target hung)"));
        assertThat(observationsOf("healthy")).allSatisfy(run -> {
            assertThat(run.getOk()).isTrue();
            assertThat(run.getRole()).isEqualTo(NodeRole.REPLICA);
        });
    }

    @Test
    void aThrowingCheckIsAFailedObservationWithTheReason() {
        ScheduledProbe broken = probe("broken", Duration.ofSeconds(10), Duration.ofSeconds(1), check("db:5432", () -> {
            throw new java.sql.SQLException("Connection refused");
        }));
        scheduler = new ProbeScheduler(List.of(broken), SOURCE, producer, Clock.systemUTC());
        scheduler.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> !observationsOf("broken").isEmpty());
        HealthObservation observation = observationsOf("broken").get(0);
        assertThat(observation.getOk()).isFalse();
        assertThat(observation.getError()).isEqualTo("SQLException: Connection refused");
        assertThat(observation.getRole()).isEqualTo(NodeRole.UNKNOWN);
        assertThat(observation.getTarget()).isEqualTo("db:5432");
        assertThat(observation.getCluster()).isEqualTo("orders");
        assertThat(producer.history().get(0).key()).isEqualTo("orders");
    }

    @Test
    void anErrorTheServerAnsweredWithIsPublishedAsAnsweredWithItsSqlState() {
        ScheduledProbe full = probe("full", Duration.ofSeconds(10), Duration.ofSeconds(1), check("db:5432",
                () -> ProbeOutcome.refused(new PostgresRefusal("53300", "FATAL: sorry, too many clients already"))));
        ScheduledProbe refused = probe("refused", Duration.ofSeconds(10), Duration.ofSeconds(1), check("db:5433", () -> {
            throw new java.sql.SQLException("Connection refused", "08001");
        }));
        scheduler = new ProbeScheduler(List.of(full, refused), SOURCE, producer, Clock.systemUTC());
        scheduler.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> !observationsOf("full").isEmpty() && !observationsOf("refused").isEmpty());
        assertThat(observationsOf("full").get(0)).satisfies(observation -> {
            assertThat(observation.getOk()).as("the probe did not succeed").isFalse();
            assertThat(observation.getAnswered()).as("but the server is alive").isTrue();
            assertThat(observation.getSqlState()).isEqualTo("53300");
            assertThat(observation.getError()).isEqualTo("FATAL: sorry, too many clients already");
            assertThat(observation.getRole()).isEqualTo(NodeRole.UNKNOWN);
        });
        assertThat(observationsOf("refused").get(0)).satisfies(observation -> {
            assertThat(observation.getOk()).isFalse();
            assertThat(observation.getAnswered()).as("no answer: a failed probe").isFalse();
            assertThat(observation.getSqlState()).isNull();
        });
    }
}

package dev.drpilot.runtime;

import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WorkerHealthTest {
    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");

    private record Fake(String name, boolean alive, Optional<Throwable> failure, Optional<String> trouble) implements Worker {
        static Fake running(String name) {
            return new Fake(name, true, Optional.empty(), Optional.empty());
        }

        static Fake retrying(String name, String trouble) {
            return new Fake(name, true, Optional.empty(), Optional.of(trouble));
        }

        static Fake dead(String name, Throwable why) {
            return new Fake(name, false, Optional.of(why), Optional.empty());
        }

        static Fake stopped(String name) {
            return new Fake(name, false, Optional.empty(), Optional.empty());
        }
    }

    static Stream<Arguments> liveness() {
        return Stream.of(
                Arguments.of("no workers", List.of(), true, "ok: 0 worker(s) alive []"),
                Arguments.of("all alive", List.of(Fake.running("a"), Fake.running("b")), true, "ok: 2 worker(s) alive [a, b]"),
                Arguments.of("one died", List.of(Fake.running("a"), Fake.dead("failover-actuator", new IllegalStateException("boom"))), false,
                        "dead: failover-actuator: java.lang.IllegalStateException: boom"),
                Arguments.of("one retrying is alive, and says so", List.of(Fake.running("a"),
                                Fake.retrying("failover-actuator", "retry 2 of unlimited after polling failed: x")), true,
                        "ok: 2 worker(s) alive [a, failover-actuator]; retrying: failover-actuator: retry 2 of unlimited after polling failed: x"),
                Arguments.of("one stopped without an error", List.of(Fake.stopped("feed")), false, "dead: feed: stopped"),
                Arguments.of("two died", List.of(Fake.dead("a", new RuntimeException("x")), Fake.stopped("b")), false,
                        "dead: a: java.lang.RuntimeException: x; b: stopped"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void liveness(String title, List<Worker> workers, boolean healthy, String text) {
        assertThat(WorkerHealth.liveness(workers)).isEqualTo(new WorkerHealth.Probe(healthy, text));
    }

    static Stream<Arguments> readiness() {
        return Stream.of(
                Arguments.of("not started yet", false, List.of(Fake.running("a")), false, "starting: 1 worker(s) started so far"),
                Arguments.of("started and alive", true, List.of(Fake.running("a")), true, "ready: ok: 1 worker(s) alive [a]"),
                Arguments.of("started, one dead", true, List.of(Fake.stopped("a")), false, "dead: a: stopped"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void readiness(String title, boolean started, List<Worker> workers, boolean healthy, String text) {
        assertThat(WorkerHealth.readiness(started, workers)).isEqualTo(new WorkerHealth.Probe(healthy, text));
    }

    @Test
    void aLoopThatDiesTurnsHealthzTo503NamingItAndItsError() throws Exception {
        ConsumerLoop<String, String> loop = fromBeginning("test-dying")
                .handler((record, attempt) -> {
                    if (record.value().equals("poison")) {
                        throw new IllegalStateException("cannot handle " + record.value());
                    }
                    return Outcome.done();
                })
                .build();
        WorkerHealth health = new WorkerHealth().watch(loop.start());
        health.started();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", new HealthHttpHandler(health));
        server.start();
        try {
            assertThat(get(server, "/healthz")).isEqualTo("200 ok: 1 worker(s) alive [test-dying]\n");
            assertThat(get(server, "/readyz")).startsWith("200 ready:");

            consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>("things", 0, 0, "k", "poison")));
            await().atMost(Duration.ofSeconds(10)).until(() -> !loop.alive());

            assertThat(get(server, "/healthz")).isEqualTo("503 dead: test-dying: java.lang.IllegalStateException: cannot handle poison\n");
            assertThat(get(server, "/readyz")).startsWith("503 dead: test-dying");
            assertThat(get(server, "/other")).startsWith("404");
        } finally {
            server.stop(0);
            loop.close();
        }
    }

    @Test
    void aLoopThatRetriesIsAliveAndSaysWhatItRetries() throws Exception {
        ConsumerLoop<String, String> loop = fromBeginning("test-retrying")
                .errors(ErrorPolicy.retry(ErrorPolicy.UNLIMITED, Backoff.constant(Duration.ofMinutes(1)), error -> true))
                .handler((record, attempt) -> {
                    throw new IllegalStateException("audit topic unreachable");
                })
                .build();
        WorkerHealth health = new WorkerHealth().watch(loop.start());
        try {
            consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>("things", 0, 0, "k", "a")));
            await().atMost(Duration.ofSeconds(10)).until(() -> loop.trouble().isPresent());

            assertThat(health.liveness()).isEqualTo(new WorkerHealth.Probe(true, "ok: 1 worker(s) alive [test-retrying]; retrying: test-retrying:"
                    + " retry 1 of unlimited after handling things-0@0 (key k) failed: java.lang.IllegalStateException: audit topic unreachable"));
        } finally {
            loop.close();
        }
    }

    /** A loop over partition 0 of "things" from its beginning, on {@link #consumer}. */
    private ConsumerLoop.Builder<String, String> fromBeginning(String name) {
        TopicPartition partition = new TopicPartition("things", 0);
        consumer.updateBeginningOffsets(Map.of(partition, 0L));
        return ConsumerLoop.builder(name, consumer).assign(c -> {
            c.assign(List.of(partition));
            c.seekToBeginning(List.of(partition));
        });
    }

    private static String get(HttpServer server, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}

package dev.drpilot.runtime.metrics;

import dev.drpilot.runtime.PeriodicTask;
import dev.drpilot.runtime.WorkerHealth;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class MetricsServerTest {
    private static String get(int port, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    @Test
    void serves_metrics_and_probes_that_see_a_periodic_task_die_and_a_readiness_condition() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("drpilot_test_events_total").help("test").register(registry).inc(3);
        WorkerHealth health = new WorkerHealth();
        AtomicBoolean rebalancing = new AtomicBoolean(true);
        health.readyWhen("detector", () -> rebalancing.get() ? Optional.of("REBALANCING") : Optional.empty());
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> task = executor.scheduleWithFixedDelay(() -> {
            if (runs.incrementAndGet() == 3) {
                throw new IllegalStateException("collector broke");
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        health.watch(new PeriodicTask("replication:orders", task));
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry, health, "the test", "--metrics-listen")) {
            assertThat(get(server.port(), "/metrics")).startsWith("200").contains("drpilot_test_events_total 3.0");
            assertThat(get(server.port(), "/readyz")).startsWith("503 starting");
            health.started();
            await().untilAsserted(() -> assertThat(get(server.port(), "/healthz"))
                    .isEqualTo("503 dead: replication:orders: java.lang.IllegalStateException: collector broke\n"));
            assertThat(get(server.port(), "/nothing")).startsWith("404");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void readiness_waits_for_its_conditions_once_started() {
        WorkerHealth health = new WorkerHealth();
        AtomicBoolean rebalancing = new AtomicBoolean(true);
        health.readyWhen("detector", () -> rebalancing.get() ? Optional.of("REBALANCING") : Optional.empty());
        health.started();
        assertThat(health.readiness()).isEqualTo(new WorkerHealth.Probe(false, "not ready: detector: REBALANCING"));
        assertThat(health.liveness().healthy()).isTrue();
        rebalancing.set(false);
        assertThat(health.readiness().healthy()).isTrue();
    }

    @Test
    void a_taken_port_is_an_error_naming_the_option() {
        try (MetricsServer first = MetricsServer.start("127.0.0.1", 0, new PrometheusRegistry(), new WorkerHealth(), "one", "--metrics-listen")) {
            assertThatThrownBy(() -> MetricsServer.start("127.0.0.1", first.port(), new PrometheusRegistry(), new WorkerHealth(), "the detectors",
                    "--metrics-listen")).hasMessageContaining("cannot serve /metrics of the detectors on 127.0.0.1:" + first.port())
                    .hasMessageContaining("--metrics-listen");
        }
    }
}

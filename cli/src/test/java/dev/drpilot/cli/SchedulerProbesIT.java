package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code drpilot recovery} and {@code drpilot drill serve} serve {@code /metrics}, {@code /healthz} and {@code /readyz} as
 * the other services do: an orchestrator's probe sees their schedule thread, not only the process.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class SchedulerProbesIT {
    @TempDir
    Path reports;

    @Test
    void theRestoreCheckSchedulerServesItsProbesAndStopsServingWhenClosed(EmbeddedKafkaBroker broker) throws Exception {
        assertServes(Services::recovery, "drpilot-recovery", broker);
    }

    @Test
    void theDrillSchedulerServesItsProbesAndStopsServingWhenClosed(EmbeddedKafkaBroker broker) throws Exception {
        assertServes(Services::drills, "drpilot-drills", broker);
    }

    private void assertServes(Function<MetricsListenOption.Address, ServiceDefinition> definition, String worker, EmbeddedKafkaBroker broker)
            throws Exception {
        int port = freePort();
        ServiceDefinition service = definition.apply(new MetricsListenOption.Address("127.0.0.1", port));
        DrpilotConfig config = ConfigLoader.parse("""
                collector: {id: probes-it}
                drills: {reportDirectory: %s}
                """.formatted(reports), "probes-it", name -> null);
        ServiceContext context = new ServiceContext(config, broker.clientProperties(), Clock.systemUTC());
        try (AutoCloseable running = service.starter().start(context)) {
            assertThat(get(port, "/healthz")).startsWith("200").contains(worker);
            // Ready once the process says its start is done, as ServiceHost does after starting every service.
            assertThat(get(port, "/readyz")).startsWith("503");
            context.health().started();
            assertThat(get(port, "/readyz")).startsWith("200");
            assertThat(get(port, "/metrics")).contains("jvm_threads_current");
        }
        assertThatThrownBy(() -> get(port, "/healthz")).as("the probes' port is closed with the service").hasCauseInstanceOf(ConnectException.class);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}

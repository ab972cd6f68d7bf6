package dev.drpilot.detector;

import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The probes' answers over real HTTP on loopback, as the state of the Streams application moves. */
class DetectorHealthIT {
    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aliveUnlessTheApplicationFailedAndReadyOnlyWhileRunning() throws Exception {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.REBALANCING);
        try (DetectorHealth health = new DetectorHealth("127.0.0.1", 0, state::get).start()) {
            assertThat(get(health.port(), "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(health.port(), "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("not ok REBALANCING\n");

            state.set(KafkaStreams.State.RUNNING);
            assertThat(get(health.port(), "/readyz").statusCode()).isEqualTo(200);

            state.set(KafkaStreams.State.ERROR);
            assertThat(get(health.port(), "/healthz").statusCode()).isEqualTo(503);
            assertThat(get(health.port(), "/readyz").statusCode()).isEqualTo(503);
        }
    }
}

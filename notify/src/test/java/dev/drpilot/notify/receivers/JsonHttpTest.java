package dev.drpilot.notify.receivers;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.drpilot.notify.delivery.DeliveryException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** How a receiver's HTTP answer becomes a delivery outcome, against a real HTTP server. */
class JsonHttpTest {
    private static final WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private final JsonHttp http = new JsonHttp(Duration.ofSeconds(5));

    @BeforeAll
    static void start() {
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void aRateLimitWithRetryAfterIsRetriableAfterTheWaitTheReceiverAskedFor() {
        server.stubFor(post("/limited").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7").withBody("slow down")));

        DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> http.post(uri("/limited"), "{}", Map.of()));

        assertThat(e.retriable()).isTrue();
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.getMessage()).contains("HTTP 429").contains("slow down").contains("Retry-After 7 s");
    }

    @Test
    void aServerErrorWithoutRetryAfterLeavesTheWaitToTheBackoff() {
        server.stubFor(post("/broken").willReturn(aResponse().withStatus(503)));

        DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> http.post(uri("/broken"), "{}", Map.of()));

        assertThat(e.retriable()).isTrue();
        assertThat(e.retryAfter()).isEmpty();
    }

    @Test
    void aRejectionIsFatalWhateverItsHeadersSay() {
        server.stubFor(post("/invalid").willReturn(aResponse().withStatus(400).withHeader("Retry-After", "7").withBody("bad routing key")));

        DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> http.post(uri("/invalid"), "{}", Map.of()));

        assertThat(e.retriable()).isFalse();
        assertThat(e.retryAfter()).isEmpty();
        assertThat(e.getMessage()).contains("bad routing key");
    }

    private static URI uri(String path) {
        return URI.create(server.baseUrl() + path);
    }
}

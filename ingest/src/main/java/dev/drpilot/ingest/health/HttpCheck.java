package dev.drpilot.ingest.health;

import dev.drpilot.events.NodeRole;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** An HTTP(S) GET of a health endpoint that must answer the expected status. */
final class HttpCheck implements HealthCheck {
    private final URI url;
    private final int expectStatus;
    private final Duration timeout;
    private final HttpClient client;

    HttpCheck(String url, int expectStatus, Duration timeout) {
        this.url = URI.create(url);
        this.expectStatus = expectStatus;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String target() {
        return url.toString();
    }

    @Override
    public ProbeOutcome check() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("User-Agent", "drpilot-probe").GET().build();
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        Map<String, String> details = Map.of("status", Integer.toString(response.statusCode()));
        if (response.statusCode() != expectStatus) {
            return ProbeOutcome.failed("HTTP " + response.statusCode() + ", expected " + expectStatus, details);
        }
        return ProbeOutcome.ok(NodeRole.UNKNOWN, details);
    }
}

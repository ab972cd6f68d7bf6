package dev.drpilot.notify.receivers;

import dev.drpilot.notify.delivery.DeliveryException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * POSTs JSON and sorts the outcome the way every HTTP receiver needs: 2xx delivered; 408, 429 and
 * 5xx or no answer at all retriable — with the receiver's {@code Retry-After} when it sent one
 * (PagerDuty and Slack rate-limit with 429 and say when to come back); any other status fatal, with
 * the response body kept as the reason (it says what the receiver found invalid).
 */
final class JsonHttp {
    private static final int MAX_BODY_IN_REASON = 1000;

    private final HttpClient client;
    private final Duration timeout;

    JsonHttp(Duration timeout) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
    }

    /** @return the response body of a 2xx answer */
    String post(URI uri, String json, Map<String, String> headers) throws DeliveryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        headers.forEach(request::setHeader);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw DeliveryException.retriable(uri.getHost() + ":" + uri.getPort() + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryException.retriable("interrupted while sending to " + uri.getHost(), e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response.body();
        }
        String reason = "HTTP " + status + " from " + uri.getHost() + ":" + uri.getPort() + ": " + abbreviate(response.body());
        if (status == 408 || status == 429 || status >= 500) {
            Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(value -> RetryAfter.parse(value, Instant.now()));
            throw retryAfter.isPresent()
                    ? DeliveryException.retriable(reason + " (Retry-After " + retryAfter.get().toSeconds() + " s)", status, retryAfter.get())
                    : DeliveryException.retriable(reason, status);
        }
        throw DeliveryException.fatal(reason, status);
    }

    private static String abbreviate(String body) {
        String oneLine = body == null ? "" : body.strip();
        return oneLine.length() <= MAX_BODY_IN_REASON ? oneLine : oneLine.substring(0, MAX_BODY_IN_REASON) + "...";
    }
}

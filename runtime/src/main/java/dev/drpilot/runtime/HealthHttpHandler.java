package dev.drpilot.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Answers {@code /healthz} (liveness) and {@code /readyz} (readiness) from a {@link WorkerHealth}: 200 or 503, with
 * the probe's text as the body. Mounted beside other handlers of one server ({@link #handles}).
 */
public final class HealthHttpHandler implements HttpHandler {
    public static final String LIVENESS = "/healthz";
    public static final String READINESS = "/readyz";

    private final WorkerHealth health;

    public HealthHttpHandler(WorkerHealth health) {
        this.health = health;
    }

    /** Whether the request is for one of the two probes. */
    public static boolean handles(HttpExchange exchange) {
        return probe(exchange.getRequestURI().getPath()).isPresent();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Optional<String> path = probe(exchange.getRequestURI().getPath());
        if (path.isEmpty()) {
            answer(exchange, 404, "not found\n");
            return;
        }
        WorkerHealth.Probe probe = path.get().equals(LIVENESS) ? health.liveness() : health.readiness();
        answer(exchange, probe.healthy() ? 200 : 503, probe.text() + "\n");
    }

    private static Optional<String> probe(String path) {
        return LIVENESS.equals(path) || READINESS.equals(path) ? Optional.of(path) : Optional.empty();
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}

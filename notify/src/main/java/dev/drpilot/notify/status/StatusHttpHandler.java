package dev.drpilot.notify.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Serves the status page next to {@code /metrics}, as the metrics server's default handler: it gets
 * every path the server does not route to {@code /metrics} itself.
 * <ul>
 * <li>{@code /} and {@code /status}: the page, rendered from a snapshot;</li>
 * <li>{@code /api/status}: the same snapshot as JSON, which the page fetches every 2 s;</li>
 * <li>{@code /status/status.js}, {@code /status/status.css}: the page's script and style.</li>
 * </ul>
 * The script and style are files, not inline, so that the Content-Security-Policy can forbid inline
 * script altogether: a summary that slipped through unescaped still could not run.
 */
public final class StatusHttpHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(StatusHttpHandler.class);
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private record Asset(String contentType, byte[] body) {
    }

    private final Supplier<StatusSnapshot> snapshots;
    private final Supplier<String> extraSections;
    private final ObjectMapper json;
    private final Map<String, Asset> assets;

    public StatusHttpHandler(Supplier<StatusSnapshot> snapshots, ObjectMapper json) {
        this(snapshots, () -> "", json);
    }

    /** @param extraSections sections of the page rendered apart from the snapshot (the drills') */
    public StatusHttpHandler(Supplier<StatusSnapshot> snapshots, Supplier<String> extraSections, ObjectMapper json) {
        this.snapshots = snapshots;
        this.extraSections = extraSections;
        this.json = json;
        this.assets = Map.of("/status/status.js", asset("status.js", "text/javascript; charset=utf-8"),
                "/status/status.css", asset("status.css", "text/css; charset=utf-8"));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/") || path.equals("/status")) {
                send(exchange, 200, "text/html; charset=utf-8", StatusPage.render(snapshots.get(), extraSections.get()).getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/api/status")) {
                send(exchange, 200, "application/json", json.writeValueAsBytes(snapshots.get()));
            } else if (assets.containsKey(path)) {
                send(exchange, 200, assets.get(path).contentType(), assets.get(path).body());
            } else {
                send(exchange, 404, "text/plain; charset=utf-8",
                        "not found: the status page is at /status, its JSON at /api/status, metrics at /metrics\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            // The JDK server would only drop the connection; the log says which request failed.
            log.error("[path={}] status page request failed: {}", exchange.getRequestURI().getPath(), e.toString(), e);
            throw e;
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static Asset asset(String name, String contentType) {
        try (InputStream in = StatusHttpHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("status page resource " + name + " is missing from the actuator's jar");
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read status page resource " + name, e);
        }
    }
}

package dev.drpilot.detector;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code /healthz} and {@code /readyz} of the detectors, for a liveness and a readiness probe.
 * Alive: the Kafka Streams application has not failed or stopped (a failed stream thread is
 * replaced, so only the whole application dying counts). Ready: it is RUNNING — while it
 * rebalances or restores its state from the changelogs, it does not detect yet.
 */
public final class DetectorHealth implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DetectorHealth.class);
    private static final Set<KafkaStreams.State> DEAD = Set.of(KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR,
            KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING);

    private final HttpServer server;

    public DetectorHealth(String host, int port, Supplier<KafkaStreams.State> state) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + " for the detectors' health: " + e.getMessage(), e);
        }
        server.createContext("/healthz", exchange -> answer(exchange, !DEAD.contains(state.get()), state.get()));
        server.createContext("/readyz", exchange -> answer(exchange, state.get() == KafkaStreams.State.RUNNING, state.get()));
    }

    public DetectorHealth start() {
        server.start();
        log.info("detector health on http://{}:{}/healthz and /readyz", server.getAddress().getHostString(), port());
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, boolean good, KafkaStreams.State state) throws IOException {
        byte[] body = ((good ? "ok " : "not ok ") + state + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(good ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

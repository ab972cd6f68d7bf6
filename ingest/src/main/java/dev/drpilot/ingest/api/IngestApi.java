package dev.drpilot.ingest.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drpilot.config.ApiSource;
import dev.drpilot.config.Component;
import dev.drpilot.config.Durations;
import dev.drpilot.config.IngestApiSettings;
import dev.drpilot.config.Secret;
import dev.drpilot.events.Source;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code POST /v1/observations/{replication|backup|health}} for systems that report observations
 * themselves. A request is one JSON object or an array; it is checked whole before anything is
 * published (a batch with one bad record publishes nothing), and answered 202 only once Kafka has
 * acknowledged every record ({@code acks=all}). Kafka unreachable: 503 with {@code Retry-After}
 * within the Kafka timeout, never a hang.
 *
 * <p>Every accepted observation carries the caller's configured identity ({@code api:<name>} of the
 * token's source, or {@code api:anonymous} without tokens) as its {@code source}, whatever the body
 * claims: the detector decides from that identity whether the caller is a vantage. An
 * {@code observedAt} further ahead than the component's freshness window is refused.
 */
public final class IngestApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/v1/observations/";
    private static final int RETRY_AFTER_SECONDS = 5;

    private static final ApiSource ANONYMOUS = new ApiSource(ApiSource.ANONYMOUS, Secret.of("none", ""), Optional.empty(), false);

    private final IngestApiSettings settings;
    private final Map<String, Component> components;
    private final Producer<String, byte[]> producer;
    private final Duration kafkaTimeout;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile Instant lastKafkaFailure = Instant.MIN;

    public IngestApi(IngestApiSettings settings, List<Component> components, Producer<String, byte[]> producer,
                     Duration kafkaTimeout, Clock clock) throws IOException {
        this(settings, components, producer, kafkaTimeout, clock, (type, status) -> { });
    }

    /** @param answered told of every observations request once answered: its type (or {@code other}) and HTTP status */
    public IngestApi(IngestApiSettings settings, List<Component> components, Producer<String, byte[]> producer,
                     Duration kafkaTimeout, Clock clock, BiConsumer<String, Integer> answered) throws IOException {
        this.settings = settings;
        this.components = components.stream().collect(Collectors.toUnmodifiableMap(Component::name, component -> component));
        this.producer = producer;
        this.kafkaTimeout = kafkaTimeout;
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 0);
        this.executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "ingest-api");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext(PREFIX, this::observations).getFilters().add(new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                try {
                    chain.doFilter(exchange);
                } finally {
                    String type = exchange.getRequestURI().getPath().substring(PREFIX.length());
                    answered.accept(ObservationKind.byPath(type).isPresent() ? type : "other", exchange.getResponseCode());
                }
            }

            @Override
            public String description() {
                return "counts requests by type and status";
            }
        });
        server.createContext("/healthz", exchange -> respond(exchange, 200, "{\"status\":\"ok\"}"));
        server.createContext("/readyz", exchange -> {
            boolean kafkaRecentlyFailed = lastKafkaFailure.isAfter(clock.instant().minusSeconds(30));
            respond(exchange, kafkaRecentlyFailed ? 503 : 200,
                    kafkaRecentlyFailed ? "{\"status\":\"kafka unreachable\"}" : "{\"status\":\"ready\"}");
        });
    }

    public IngestApi start() {
        server.start();
        log.info("ingest API listening on http://{}:{}{}{replication|backup|health} ({})", settings.bind(), port(), PREFIX,
                settings.sources().isEmpty() ? "no tokens: every caller is " + ANONYMOUS.collectorId()
                        : "tokens of " + settings.sources().stream().map(ApiSource::collectorId).collect(Collectors.joining(", ")));
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    private void observations(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "POST");
                respond(exchange, 405, error("use POST"));
                return;
            }
            Optional<ApiSource> caller = caller(exchange);
            if (caller.isEmpty()) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
                respond(exchange, 401, error("missing or wrong bearer token"));
                return;
            }
            String kindPath = exchange.getRequestURI().getPath().substring(PREFIX.length());
            ObservationKind kind = ObservationKind.byPath(kindPath).orElse(null);
            if (kind == null) {
                respond(exchange, 404, error("no such observation type \"" + kindPath + "\" (replication, backup, health)"));
                return;
            }
            byte[] body = readBody(exchange);
            if (body == null) {
                respond(exchange, 413, error("body larger than " + settings.maxBodyBytes() + " bytes"));
                return;
            }
            handle(exchange, kind, body, source(caller.get()));
        } catch (RuntimeException e) {
            log.error("ingest API request failed: {}", e.toString(), e);
            respond(exchange, 500, error("internal error: " + e.getMessage()));
        }
    }

    private void handle(HttpExchange exchange, ObservationKind kind, byte[] body, Source source) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            respond(exchange, 400, problems(List.of(new FieldProblem(null, "(body)", "malformed JSON: " + e.getOriginalMessage()))));
            return;
        }
        if (root == null || !(root.isObject() || root.isArray())) {
            respond(exchange, 400, problems(List.of(new FieldProblem(null, "(body)", "expected a JSON object or an array of objects"))));
            return;
        }
        List<FieldProblem> problems = new ArrayList<>();
        List<SpecificRecord> records = new ArrayList<>();
        Map<String, Supplier<Object>> defaults = Map.of("source", () -> source);
        Instant now = clock.instant();
        int count = root.isArray() ? root.size() : 1;
        for (int i = 0; i < count; i++) {
            Integer index = root.isArray() ? i : null;
            JsonNode item = root.isArray() ? root.get(i) : root;
            kind.json.read(item, defaults, problems, index).ifPresent(record -> {
                // The API's identity, not the caller's claim: a caller cannot speak for a collector or a vantage.
                record.put(record.getSchema().getField("source").pos(), source);
                String name = kind.component.apply(record);
                Component component = components.get(name);
                if (component == null) {
                    problems.add(new FieldProblem(index, "component", "unknown component \"" + name + "\""));
                } else {
                    Duration skew = settings.futureSkew(component.thresholds().evidenceMaxAge());
                    if (kind.observedAt.apply(record).isAfter(now.plus(skew))) {
                        problems.add(new FieldProblem(index, "observedAt", "more than " + Durations.format(skew)
                                + " in the future (no further than the evidence freshness window; check the sender's clock)"));
                    }
                }
                records.add(record);
            });
        }
        if (count == 0) {
            problems.add(new FieldProblem(null, "(body)", "an empty array: nothing to publish"));
        }
        if (!problems.isEmpty()) {
            respond(exchange, 400, problems(problems));
            return;
        }
        publish(exchange, kind, records);
    }

    private void publish(HttpExchange exchange, ObservationKind kind, List<SpecificRecord> records) throws IOException {
        long deadline = System.nanoTime() + kafkaTimeout.toNanos();
        try {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (SpecificRecord record : records) {
                sends.add(producer.send(new ProducerRecord<>(kind.topic.name(), kind.key.apply(record), kind.serialize(record))));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (Exception e) {
            lastKafkaFailure = clock.instant();
            log.warn("ingest API: {} {} observation(s) not acknowledged by Kafka: {}", records.size(), kind.path, e.toString());
            exchange.getResponseHeaders().add("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            respond(exchange, 503, error("Kafka did not acknowledge the observations within " + Durations.format(kafkaTimeout)
                    + "; retry later (some may have been stored: observations are safe to send twice)"));
            return;
        }
        ObjectNode accepted = JSON.createObjectNode().put("accepted", records.size()).put("topic", kind.topic.name());
        respond(exchange, 202, accepted.toString());
    }

    /** The configured source whose token the request carries; without configured tokens, the anonymous source. */
    private Optional<ApiSource> caller(HttpExchange exchange) {
        if (settings.sources().isEmpty()) {
            return Optional.of(ANONYMOUS);
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            return Optional.empty();
        }
        byte[] presented = header.getBytes(StandardCharsets.UTF_8);
        ApiSource match = null;
        // Every token is compared, each in constant time: which token matched must not leak through response timing.
        for (ApiSource source : settings.sources()) {
            for (Secret token : source.tokens()) {
                if (MessageDigest.isEqual(presented, ("Bearer " + token.reveal()).getBytes(StandardCharsets.UTF_8)) && match == null) {
                    match = source;
                }
            }
        }
        return Optional.ofNullable(match);
    }

    private static Source source(ApiSource caller) {
        return Source.newBuilder().setCollectorId(caller.collectorId()).setVantage(caller.collectorId()).build();
    }

    /** The body, or null when it is larger than allowed (read no further than one byte past the limit). */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d+") && Long.parseLong(length) > settings.maxBodyBytes()) {
            return null;
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 1, settings.maxBodyBytes() + 1));
            return body.length > settings.maxBodyBytes() ? null : body;
        }
    }

    private static String problems(List<FieldProblem> problems) {
        ObjectNode body = JSON.createObjectNode().put("error", "invalid observations: nothing was published");
        ArrayNode list = body.putArray("problems");
        for (FieldProblem problem : problems) {
            ObjectNode item = list.addObject();
            if (problem.index() != null) {
                item.put("index", problem.index());
            }
            item.put("field", problem.field()).put("message", problem.message());
        }
        return body.toString();
    }

    private static String error(String message) {
        return JSON.createObjectNode().put("error", message).toString();
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real Alertmanager, started from the installed binary on 127.0.0.1 and a free port, with
 * clustering off, its own storage directory and a configuration whose only receiver does
 * nothing: the tests look at what it holds through its API.
 *
 * <p>The binary is {@code $ALERTMANAGER_BIN}, else {@code prometheus-alertmanager} (Debian's
 * name) or {@code alertmanager} on the PATH. Missing, it fails the test with what to install:
 * a test that needs a real server must not pass without one.
 */
final class AlertmanagerProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = """
            route:
              receiver: "null"
              group_wait: 1s
            receivers:
              - name: "null"
            """;

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http;
    private final String scheme;
    private final Optional<String> authorization;

    private AlertmanagerProcess(Process process, int port, Path log, HttpClient http, String scheme, Optional<String> authorization) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.http = http;
        this.scheme = scheme;
        this.authorization = authorization;
    }

    static AlertmanagerProcess start(Path dir) throws IOException {
        return start(dir, Optional.empty(), HttpClient.newHttpClient(), Optional.empty());
    }

    /**
     * With a {@code --web.config.file} (basic_auth_users, tls_server_config): the test's own look at the API goes
     * through {@code http} (an HTTPS client when it serves TLS) with {@code authorization}.
     */
    static AlertmanagerProcess start(Path dir, Optional<String> webConfig, HttpClient http, Optional<String> authorization) throws IOException {
        Path binary = binary();
        Files.createDirectories(dir.resolve("data"));
        Path config = Files.writeString(dir.resolve("alertmanager.yml"), CONFIG);
        Path log = dir.resolve("alertmanager.log");
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=", "--log.level=info"));
        if (webConfig.isPresent()) {
            command.add("--web.config.file=" + Files.writeString(dir.resolve("web.yml"), webConfig.get()));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String scheme = webConfig.filter(web -> web.contains("tls_server_config")).isPresent() ? "https" : "http";
        AlertmanagerProcess alertmanager = new AlertmanagerProcess(process, port, log, http, scheme, authorization);
        try {
            await("Alertmanager on port " + port + " to be ready (log " + log + ")").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).failFast("Alertmanager exited", () -> !process.isAlive())
                    .until(alertmanager::ready);
        } catch (RuntimeException e) {
            alertmanager.close();
            throw e;
        }
        return alertmanager;
    }

    static Path binary() {
        String configured = System.getenv("ALERTMANAGER_BIN");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            for (String name : List.of("prometheus-alertmanager", "alertmanager")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("No Alertmanager binary found. Install it (Debian/Ubuntu: apt-get install prometheus-alertmanager)"
                + " or set ALERTMANAGER_BIN to the alertmanager executable; ./run-tests installs it when run as root.");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    String url() {
        return scheme + "://127.0.0.1:" + port;
    }

    private boolean ready() {
        try {
            return http.send(request("/-/ready").timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code GET /api/v2/alerts}: the alerts it holds and has not seen resolve. */
    JsonNode alerts() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request("/api/v2/alerts").timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /api/v2/alerts answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path));
        authorization.ifPresent(value -> request.header("Authorization", value));
        return request;
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

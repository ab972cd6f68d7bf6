package dev.drpilot.runtime.metrics;

import dev.drpilot.runtime.HealthHttpHandler;
import dev.drpilot.runtime.WorkerHealth;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One port per service for what watches it: Prometheus {@code /metrics} from a registry, and the probes {@code /healthz}
 * and {@code /readyz} from the process's {@link WorkerHealth} (cheap: they look at the workers, not at the metrics).
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    /**
     * @param what      the service, for the log and the error ("the detectors")
     * @param option    the option that sets the address, named when the port is taken
     */
    public static MetricsServer start(String host, int port, PrometheusRegistry registry, WorkerHealth health, String what, String option) {
        try {
            HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(registry)
                    .defaultHandler(new HealthHttpHandler(health)).buildAndStart();
            log.info("{}: /metrics, /healthz and /readyz on http://{}:{}", what, host, server.getPort());
            return new MetricsServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve /metrics of " + what + " on " + host + ":" + port
                    + " (port in use? choose another with " + option + "): " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}

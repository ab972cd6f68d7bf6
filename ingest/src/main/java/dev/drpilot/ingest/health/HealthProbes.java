package dev.drpilot.ingest.health;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Probe;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Source;
import dev.drpilot.ingest.PostgresConnector;
import org.apache.kafka.clients.producer.Producer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds the probes a configuration asks for. Every node of every cluster gets a PostgreSQL
 * probe (2 s interval, 1 s timeouts) unless a probe for it is configured: the primary-down rule
 * depends on them, so they must not be forgotten.
 */
public final class HealthProbes {
    static final Duration DATABASE_INTERVAL = Duration.ofSeconds(2);
    static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(1);

    private HealthProbes() {
    }

    public static ProbeScheduler scheduler(DrpilotConfig config, Source source, Producer<String, HealthObservation> producer, Clock clock) {
        return new ProbeScheduler(probes(config), source, producer, clock);
    }

    /** @param observed told of every probe run's observation as it is published */
    public static ProbeScheduler scheduler(DrpilotConfig config, Source source, Producer<String, HealthObservation> producer, Clock clock,
                                           Consumer<HealthObservation> observed) {
        return new ProbeScheduler(probes(config), source, producer, clock, observed);
    }

    static List<ScheduledProbe> probes(DrpilotConfig config) {
        List<ScheduledProbe> probes = new ArrayList<>();
        Set<String> probedNodes = new HashSet<>();
        for (Probe probe : config.probes()) {
            probes.add(fromConfig(probe, config));
            if (probe.kind() == Probe.Kind.POSTGRES) {
                probedNodes.add(probe.cluster().orElse("") + "/" + probe.node().orElse(""));
            }
        }
        for (ClusterConfig cluster : config.clusters().values()) {
            for (NodeConfig node : cluster.nodes()) {
                if (!probedNodes.contains(cluster.name() + "/" + node.name())) {
                    probes.add(new ScheduledProbe(cluster.name() + "/" + node.name(), ProbeKind.POSTGRES, cluster.component(),
                            Optional.of(cluster.name()), Optional.of(node.name()), DATABASE_INTERVAL, DATABASE_TIMEOUT,
                            new PostgresCheck(node, connector(DATABASE_TIMEOUT))));
                }
            }
        }
        return probes;
    }

    private static ScheduledProbe fromConfig(Probe probe, DrpilotConfig config) {
        HealthCheck check = switch (probe.kind()) {
            case POSTGRES -> new PostgresCheck(config.clusters().get(probe.cluster().orElseThrow()).node(probe.node().orElseThrow()).orElseThrow(),
                    connector(probe.timeout()));
            case TCP -> new TcpCheck(probe.host().orElseThrow(), probe.port().orElseThrow(), probe.timeout());
            case HTTP -> new HttpCheck(probe.url().orElseThrow(), probe.expectStatus(), probe.timeout());
            case DNS -> new DnsCheck(probe.dnsName().orElseThrow(), probe.expect());
        };
        return new ScheduledProbe(probe.name(), ProbeKind.valueOf(probe.kind().name()), probe.component(), probe.cluster(),
                probe.node(), probe.interval(), probe.timeout(), check);
    }

    /** Connect, socket and statement timeouts all within the probe's own timeout. */
    private static PostgresConnector connector(Duration timeout) {
        return new PostgresConnector(timeout, timeout, timeout);
    }
}

package dev.drpilot.ingest.replication;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.PostgresConnector;
import dev.drpilot.ingest.archive.ArchiveProgress;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads one cluster's replication state each interval and publishes one
 * {@link ReplicationObservation} per replica, keyed by cluster, and — when the primary archives WAL —
 * one {@link BackupObservation} of its continuous archiving (tool ARCHIVER), whose recovery point is
 * the newest moment everything written was archived ({@link ArchiveProgress}). It observes and
 * reports; deciding whether the lag or the archive matters is the detector's job.
 */
public final class ReplicationCollector implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ReplicationCollector.class);

    private final ClusterConfig cluster;
    private final Source source;
    private final ReplicationReader reader;
    private final Producer<String, ReplicationObservation> producer;
    private final Producer<String, BackupObservation> archiveProducer;
    private final ArchiveProgress archive;
    private final Clock clock;
    private final AtomicLong publishFailures = new AtomicLong();
    // The primary of the last read that found one; until then the configured role hint.
    private volatile String lastPrimary;

    public ReplicationCollector(ClusterConfig cluster, CollectorIdentity identity, PostgresConnector connector,
                                Producer<String, ReplicationObservation> producer, Producer<String, BackupObservation> archiveProducer,
                                Clock clock) {
        this.cluster = cluster;
        this.source = Source.newBuilder().setCollectorId(identity.collectorId()).setVantage(identity.vantage()).build();
        this.reader = new ReplicationReader(connector);
        this.producer = producer;
        this.archiveProducer = archiveProducer;
        this.archive = new ArchiveProgress(cluster.component(), cluster.name(), source);
        this.clock = clock;
        this.lastPrimary = cluster.nodes().stream().filter(node -> node.role() == NodeConfig.Role.PRIMARY)
                .map(NodeConfig::name).findFirst().orElse(null);
    }

    @Override
    public void run() {
        try {
            Reading reading = collect();
            reading.replicas().forEach(observation -> producer.send(
                    new ProducerRecord<>(Topics.REPLICATION_OBSERVATIONS.name(), cluster.name(), observation),
                    (metadata, error) -> failed(error, "replication observation of " + observation.getReplicaNode())));
            reading.archiving().ifPresent(observation -> archiveProducer.send(
                    new ProducerRecord<>(Topics.BACKUP_OBSERVATIONS.name(), cluster.name(), observation),
                    (metadata, error) -> failed(error, "archiving observation")));
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep the collector alive.
            log.error("[cluster={}] replication collection failed: {}", cluster.name(), e.toString(), e);
        }
    }

    private void failed(Exception error, String what) {
        if (error != null) {
            publishFailures.incrementAndGet();
            log.warn("[cluster={}] {} not delivered: {}", cluster.name(), what, error.toString());
        }
    }

    /** Observations Kafka finally refused. */
    public long publishFailures() {
        return publishFailures.get();
    }

    /** One read: an observation per replica, and the primary's archiving when it archives. */
    record Reading(List<ReplicationObservation> replicas, Optional<BackupObservation> archiving) {
    }

    /**
     * One observation per node that is not the primary, and the primary's archiving. The primary is read first, so that a
     * replica's replay position is compared with a primary position older than itself. When no
     * primary answers, the one last seen (or configured) is still left out: it is the node that
     * is down, not a replica.
     */
    Reading collect() {
        PrimaryView primary = null;
        NodeConfig primaryNode = null;
        for (NodeConfig node : nodesPrimaryHintFirst()) {
            try {
                primary = reader.readPrimary(node);
            } catch (SQLException e) {
                log.debug("[cluster={} node={}] not readable as primary: {}", cluster.name(), node.name(), e.getMessage());
            }
            if (primary != null) {
                primaryNode = node;
                break;
            }
        }
        String primaryName = primaryNode != null ? primaryNode.name() : lastPrimary;
        lastPrimary = primaryName;
        List<ReplicationObservation> observations = new ArrayList<>();
        for (NodeConfig node : cluster.nodes()) {
            if (node.name().equals(primaryName)) {
                continue;
            }
            Optional<ReplicaView> replica = Optional.empty();
            Optional<String> error = Optional.empty();
            try {
                replica = Optional.of(reader.readReplica(node));
            } catch (SQLException e) {
                error = Optional.of(e.getMessage());
            }
            Optional<String> upstream = replica.flatMap(ReplicaView::sender).map(this::nodeAt);
            observations.add(ReplicationLag.observe(cluster.component(), cluster.name(), source, clock.instant(),
                    Optional.ofNullable(primary), node.name(), replica, error, upstream));
        }
        Optional<BackupObservation> archiving = Optional.ofNullable(primary).flatMap(PrimaryView::archiver)
                .flatMap(reading -> archive.observe(reading, clock.instant()));
        return new Reading(observations, archiving);
    }

    /** The configured node a WAL receiver's {@code host:port} names, or that {@code host:port} when it names none. */
    private String nodeAt(String sender) {
        return cluster.nodes().stream().filter(node -> sender.equals(node.host() + ":" + node.port())).map(NodeConfig::name)
                .findFirst().orElse(sender);
    }

    private List<NodeConfig> nodesPrimaryHintFirst() {
        List<NodeConfig> nodes = new ArrayList<>(cluster.nodes());
        nodes.sort(Comparator.comparing(node -> node.role() != NodeConfig.Role.PRIMARY));
        return nodes;
    }
}

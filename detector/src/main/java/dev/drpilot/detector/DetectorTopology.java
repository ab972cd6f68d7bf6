package dev.drpilot.detector;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.alert.AlertStateSerde;
import dev.drpilot.detector.rules.ReplicationLagRule;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** The detectors as one Kafka Streams topology: a pure function of the configuration. */
public final class DetectorTopology {
    private DetectorTopology() {
    }

    public static Topology build(DrpilotConfig config) {
        Topology topology = new Topology();
        topology.addSource("replication-observations", Topics.REPLICATION_OBSERVATIONS.keySerde().deserializer(),
                Topics.REPLICATION_OBSERVATIONS.valueSerde().deserializer(), Topics.REPLICATION_OBSERVATIONS.name());
        topology.addProcessor(ReplicationLagRule.NAME, () -> new ReplicationLagRule(config), "replication-observations");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ReplicationLagRule.STORE),
                Serdes.String(), AlertStateSerde.create()), ReplicationLagRule.NAME);
        topology.addSink("alerts", Topics.ALERTS.name(), Topics.ALERTS.keySerde().serializer(), Topics.ALERTS.valueSerde().serializer(),
                ReplicationLagRule.NAME);
        return topology;
    }
}

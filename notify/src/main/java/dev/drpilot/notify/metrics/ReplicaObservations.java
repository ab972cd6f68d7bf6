package dev.drpilot.notify.metrics;

import dev.drpilot.events.ReplicationObservation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The newest observation of each replica, as {@code /metrics} and the status page show them.
 * Several vantages observe one replica and their records may arrive out of order: the newest
 * wins. A replica that a newer observation names as its cluster's primary (promoted by a
 * failover) is no replica any more: its figures as one, even ones arriving late, are dropped.
 */
public final class ReplicaObservations {
    private record Replica(String component, String cluster, String node) {
    }

    private final Map<Replica, ReplicationObservation> replicas = new LinkedHashMap<>();
    /** Per cluster, the newest observation that names a primary. */
    private final Map<String, ReplicationObservation> primaries = new HashMap<>();

    public synchronized void accept(ReplicationObservation observation) {
        if (observation.getPrimaryNode() != null) {
            primaries.merge(observation.getCluster(), observation, ReplicaObservations::newer);
        }
        ReplicationObservation newestPrimary = primaries.get(observation.getCluster());
        if (newestPrimary != null && newestPrimary.getPrimaryNode().equals(observation.getReplicaNode())
                && observation.getObservedAt().isBefore(newestPrimary.getObservedAt())) {
            return;
        }
        replicas.merge(new Replica(observation.getComponent(), observation.getCluster(), observation.getReplicaNode()), observation,
                ReplicaObservations::newer);
        if (newestPrimary != null) {
            // One key, not a scan: this runs for every observation.
            Replica promoted = new Replica(newestPrimary.getComponent(), newestPrimary.getCluster(), newestPrimary.getPrimaryNode());
            ReplicationObservation asReplica = replicas.get(promoted);
            if (asReplica != null && asReplica.getObservedAt().isBefore(newestPrimary.getObservedAt())) {
                replicas.remove(promoted);
            }
        }
    }

    /**
     * The newest observation of every replica observed within its cluster's {@code staleAfter},
     * ordered by component, cluster and node; the others are dropped for good.
     */
    public synchronized List<ReplicationObservation> current(Instant now, Function<String, Duration> staleAfter) {
        replicas.entrySet().removeIf(entry -> entry.getValue().getObservedAt().isBefore(now.minus(staleAfter.apply(entry.getKey().cluster()))));
        List<Map.Entry<Replica, ReplicationObservation>> entries = new ArrayList<>(replicas.entrySet());
        entries.sort(Comparator.comparing((Map.Entry<Replica, ReplicationObservation> entry) -> entry.getKey().component())
                .thenComparing(entry -> entry.getKey().cluster()).thenComparing(entry -> entry.getKey().node()));
        return entries.stream().map(Map.Entry::getValue).toList();
    }

    private static ReplicationObservation newer(ReplicationObservation known, ReplicationObservation offered) {
        return offered.getObservedAt().isBefore(known.getObservedAt()) ? known : offered;
    }
}

package dev.drpilot.schemas.topic;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may do what on drpilot's Kafka cluster: one principal per service and one for people.
 * The k8s KafkaUsers (k8s/kafka-users.yaml) are checked against this table, and the ACL
 * integration test installs exactly these bindings, so the two cannot drift apart.
 *
 * <p>What it protects: only the detector and the operator write failover commands, only the
 * operator writes control records (pause, resume, approve), and ingest — the service exposed to
 * other systems through its HTTP API — writes observations and heartbeats, nothing else. The node agent, which
 * runs on every database host, writes its lease, its health observations and its replies (a rejoin's report
 * too: the actuator records it on the audit trail, which no database host may write), and reads the leases and its
 * commands. Drills ({@code drpilot drill}) hold the operator's power over one thing, a switchover: the brokers cannot
 * tell an order from a pause on the control topic, so the drill principal could write either — run it where the
 * operator's own tools run.
 */
public final class AccessPolicy {

    /** A principal drpilot's services and people authenticate as; {@link #user()} is its SCRAM user name. */
    public enum Principal {
        INGEST("drpilot-ingest"),
        DETECTOR("drpilot-detector"),
        // `drpilot act` delivers alerts and carries out failovers in one process: one principal, both halves' rights.
        ACTUATOR("drpilot-actuator"),
        OPERATOR("drpilot-operator"),
        // `drpilot agent`, one per database host: its lease and its own health evidence, nothing else.
        AGENT("drpilot-agent"),
        // `drpilot recovery` restores backups into scratch directories and publishes what it proved, nothing else.
        RECOVERY("drpilot-recovery"),
        // `drpilot drill`: a scheduled switchover is an operator's act, so it writes orders and commands as the operator does.
        DRILL("drpilot-drill");

        private final String user;

        Principal(String user) {
            this.user = user;
        }

        public String user() {
            return user;
        }

        /** The principal as the broker's authorizer sees it. */
        public String kafkaPrincipal() {
            return "User:" + user;
        }
    }

    /** One ACL: {@code principal} may do {@code operations} on the resources {@code name} matches. */
    public record Grant(Principal principal, ResourceType resourceType, String name, PatternType patternType, Set<AclOperation> operations) {
        public Grant {
            operations = Set.copyOf(operations);
        }

        public boolean matches(ResourceType type, String resourceName) {
            return resourceType == type && (patternType == PatternType.PREFIXED ? resourceName.startsWith(name) : resourceName.equals(name));
        }

        /** The Strimzi spelling of an operation: {@code IDEMPOTENT_WRITE} is {@code IdempotentWrite}. */
        public static String strimziOperation(AclOperation operation) {
            StringBuilder name = new StringBuilder();
            for (String part : operation.name().split("_")) {
                name.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
            }
            return name.toString();
        }
    }

    // The consumer groups and transactional ids each service uses, by prefix.
    public static final String DETECTOR_PREFIX = "drpilot-detector";
    public static final String RECEIVER_GROUP_PREFIX = "drpilot-receiver-";
    public static final String FAILOVER_PREFIX = "drpilot-failover";
    public static final String AGENT_GROUP_PREFIX = "drpilot-agent-";
    // The one name Kafka gives the cluster resource.
    public static final String CLUSTER_RESOURCE = "kafka-cluster";

    // Every service creates the topics it uses when they are missing (TopicAdmin.ensureTopics asks the broker to
    // create them and takes "exists" for an answer), which the broker answers only with Create on the topic.
    private static final Set<AclOperation> READS = Set.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.CREATE);
    private static final Set<AclOperation> WRITES = Set.of(AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE);
    private static final Set<AclOperation> READS_AND_WRITES = Set.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE,
            AclOperation.CREATE);
    private static final Set<AclOperation> TRANSACTIONS = Set.of(AclOperation.WRITE, AclOperation.DESCRIBE);

    private static final List<Grant> GRANTS = List.of(
            topic(Principal.INGEST, Topics.REPLICATION_OBSERVATIONS, WRITES),
            topic(Principal.INGEST, Topics.BACKUP_OBSERVATIONS, WRITES),
            topic(Principal.INGEST, Topics.HEALTH_OBSERVATIONS, WRITES),
            topic(Principal.INGEST, Topics.COLLECTOR_HEARTBEATS, WRITES),
            topic(Principal.INGEST, Topics.DEAD_LETTER, WRITES),

            topic(Principal.DETECTOR, Topics.REPLICATION_OBSERVATIONS, READS),
            topic(Principal.DETECTOR, Topics.BACKUP_OBSERVATIONS, READS),
            topic(Principal.DETECTOR, Topics.HEALTH_OBSERVATIONS, READS),
            topic(Principal.DETECTOR, Topics.COLLECTOR_HEARTBEATS, READS),
            topic(Principal.DETECTOR, Topics.ACTIONS, READS),
            topic(Principal.DETECTOR, Topics.ALERTS, WRITES),
            // The failover-health rule reads back the commands the detector issued.
            topic(Principal.DETECTOR, Topics.FAILOVER_COMMANDS, READS_AND_WRITES),
            topic(Principal.DETECTOR, Topics.RESTORE_CHECKS, READS),
            topic(Principal.DETECTOR, Topics.DEAD_LETTER, WRITES),
            // Kafka Streams' own topics (changelogs, repartitions), named after the application id.
            new Grant(Principal.DETECTOR, ResourceType.TOPIC, DETECTOR_PREFIX, PatternType.PREFIXED, Set.of(AclOperation.ALL)),
            new Grant(Principal.DETECTOR, ResourceType.GROUP, DETECTOR_PREFIX, PatternType.PREFIXED, Set.of(AclOperation.READ)),
            // Exactly-once: the transactional ids are <application id>-<process>-<thread>.
            new Grant(Principal.DETECTOR, ResourceType.TRANSACTIONAL_ID, DETECTOR_PREFIX, PatternType.PREFIXED, TRANSACTIONS),
            new Grant(Principal.DETECTOR, ResourceType.CLUSTER, CLUSTER_RESOURCE, PatternType.LITERAL, Set.of(AclOperation.IDEMPOTENT_WRITE)),

            topic(Principal.ACTUATOR, Topics.ALERTS, READS),
            topic(Principal.ACTUATOR, Topics.REPLICATION_OBSERVATIONS, READS),
            topic(Principal.ACTUATOR, Topics.BACKUP_OBSERVATIONS, READS),
            // The live topology of its status page and /metrics: the probes' and the agents' evidence of each node's role.
            topic(Principal.ACTUATOR, Topics.HEALTH_OBSERVATIONS, READS),
            topic(Principal.ACTUATOR, Topics.FAILOVER_COMMANDS, READS),
            topic(Principal.ACTUATOR, Topics.FAILOVER_CONTROL, READS),
            topic(Principal.ACTUATOR, Topics.ACTIONS, READS_AND_WRITES),
            topic(Principal.ACTUATOR, Topics.DEAD_LETTER, WRITES),
            new Grant(Principal.ACTUATOR, ResourceType.GROUP, RECEIVER_GROUP_PREFIX, PatternType.PREFIXED, Set.of(AclOperation.READ)),
            new Grant(Principal.ACTUATOR, ResourceType.GROUP, FAILOVER_PREFIX, PatternType.PREFIXED, Set.of(AclOperation.READ)),
            // Each cluster's failover records go through its own transactional id, drpilot-failover-<cluster>: the actuator
            // that opens it last is the only one whose records Kafka takes (a zombie actuator is fenced).
            new Grant(Principal.ACTUATOR, ResourceType.TRANSACTIONAL_ID, FAILOVER_PREFIX, PatternType.PREFIXED, TRANSACTIONS),
            // Agents: the leases it waits on before promoting past an unreachable primary, the commands it sends them
            // (fence, promotion intent, rejoin) and their replies.
            topic(Principal.ACTUATOR, Topics.AGENT_LEASES, READS),
            topic(Principal.ACTUATOR, Topics.AGENT_COMMANDS, WRITES),
            topic(Principal.ACTUATOR, Topics.AGENT_REPLIES, READS),
            // The status page's restore checks.
            topic(Principal.ACTUATOR, Topics.RESTORE_CHECKS, READS),

            // Switchovers (and their --force) and the standing instructions; the operator's tools read the audit trail.
            topic(Principal.OPERATOR, Topics.FAILOVER_COMMANDS, WRITES),
            topic(Principal.OPERATOR, Topics.FAILOVER_CONTROL, READS_AND_WRITES),
            topic(Principal.OPERATOR, Topics.ACTIONS, READS_AND_WRITES),
            // `drpilot status`: the live topology from the same evidence as the status page.
            topic(Principal.OPERATOR, Topics.REPLICATION_OBSERVATIONS, READS),
            topic(Principal.OPERATOR, Topics.HEALTH_OBSERVATIONS, READS),
            topic(Principal.OPERATOR, Topics.AGENT_LEASES, READS),
            // `drpilot status`: the open alerts and the recovery point / last backup beside the targets.
            topic(Principal.OPERATOR, Topics.ALERTS, READS),
            topic(Principal.OPERATOR, Topics.BACKUP_OBSERVATIONS, READS),

            // It reads the leases too: a node seen as primary while another node's agent holds the lease was replaced.
            topic(Principal.AGENT, Topics.AGENT_LEASES, READS_AND_WRITES),
            topic(Principal.AGENT, Topics.HEALTH_OBSERVATIONS, WRITES),
            topic(Principal.AGENT, Topics.AGENT_COMMANDS, READS),
            topic(Principal.AGENT, Topics.AGENT_REPLIES, WRITES),
            new Grant(Principal.AGENT, ResourceType.GROUP, AGENT_GROUP_PREFIX, PatternType.PREFIXED, Set.of(AclOperation.READ)),

            // `drpilot restore-check` by hand runs as the operator.
            topic(Principal.OPERATOR, Topics.RESTORE_CHECKS, WRITES),

            topic(Principal.RECOVERY, Topics.RESTORE_CHECKS, WRITES),

            // Drills: a switchover's order and command, as `drpilot switchover` writes them; the pauses it honours (the
            // control topic's records are read whole); the audit trail it records itself on and reads the actuator's
            // summaries and open failovers from; the alerts that say an incident is open; a restore drill's outcome; the
            // dead letter an unreadable control record goes to.
            topic(Principal.DRILL, Topics.FAILOVER_COMMANDS, WRITES),
            topic(Principal.DRILL, Topics.FAILOVER_CONTROL, READS_AND_WRITES),
            topic(Principal.DRILL, Topics.ACTIONS, READS_AND_WRITES),
            topic(Principal.DRILL, Topics.ALERTS, READS),
            topic(Principal.DRILL, Topics.RESTORE_CHECKS, WRITES),
            topic(Principal.DRILL, Topics.DEAD_LETTER, WRITES),

            // Silences: `drpilot silence add|expire` writes them (and audits each on the trail) and `silence list` reads
            // them; the actuator reads them to hold back the alerts they match.
            topic(Principal.OPERATOR, Topics.SILENCES, READS_AND_WRITES),
            topic(Principal.ACTUATOR, Topics.SILENCES, READS));

    private AccessPolicy() {
    }

    private static Grant topic(Principal principal, Topic<?, ?> topic, Set<AclOperation> operations) {
        return new Grant(principal, ResourceType.TOPIC, topic.name(), PatternType.LITERAL, operations);
    }

    public static List<Grant> grants() {
        return GRANTS;
    }

    public static List<Grant> grants(Principal principal) {
        return GRANTS.stream().filter(grant -> grant.principal() == principal).toList();
    }

    /** True when some grant lets {@code principal} do {@code operation} (or ALL) on the resource. */
    public static boolean allows(Principal principal, AclOperation operation, ResourceType type, String resourceName) {
        return grants(principal).stream().anyMatch(grant -> grant.matches(type, resourceName)
                && (grant.operations().contains(operation) || grant.operations().contains(AclOperation.ALL)));
    }

    /** The grants as the broker's ACLs (allow, from any host), for {@code Admin.createAcls}. */
    public static List<AclBinding> bindings() {
        List<AclBinding> bindings = new ArrayList<>();
        for (Grant grant : GRANTS) {
            for (AclOperation operation : grant.operations()) {
                bindings.add(new AclBinding(new ResourcePattern(grant.resourceType(), grant.name(), grant.patternType()),
                        new AccessControlEntry(grant.principal().kafkaPrincipal(), "*", operation, AclPermissionType.ALLOW)));
            }
        }
        return bindings;
    }
}

package dev.drpilot.schemas.serde;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.Silence;

/** One serde per event type; they are stateless and thread-safe, so one instance each serves everyone. */
public final class EventSerdes {
    public static final AvroSerde<ReplicationObservation> REPLICATION_OBSERVATION = AvroSerde.of(ReplicationObservation.class);
    public static final AvroSerde<BackupObservation> BACKUP_OBSERVATION = AvroSerde.of(BackupObservation.class);
    public static final AvroSerde<HealthObservation> HEALTH_OBSERVATION = AvroSerde.of(HealthObservation.class);
    public static final AvroSerde<CollectorHeartbeat> COLLECTOR_HEARTBEAT = AvroSerde.of(CollectorHeartbeat.class);
    public static final AvroSerde<Alert> ALERT = AvroSerde.of(Alert.class);
    public static final AvroSerde<FailoverCommand> FAILOVER_COMMAND = AvroSerde.of(FailoverCommand.class);
    public static final AvroSerde<ActionRecord> ACTION_RECORD = AvroSerde.of(ActionRecord.class);
    public static final AvroSerde<AgentLease> AGENT_LEASE = AvroSerde.of(AgentLease.class);
    public static final AvroSerde<AgentCommand> AGENT_COMMAND = AvroSerde.of(AgentCommand.class);
    public static final AvroSerde<AgentReply> AGENT_REPLY = AvroSerde.of(AgentReply.class);
    public static final AvroSerde<RestoreCheck> RESTORE_CHECK = AvroSerde.of(RestoreCheck.class);
    public static final AvroSerde<Silence> SILENCE = AvroSerde.of(Silence.class);

    private EventSerdes() {
    }
}

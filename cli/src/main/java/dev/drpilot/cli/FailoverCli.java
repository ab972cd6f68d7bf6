package dev.drpilot.cli;

import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.FailoverHistory;
import dev.drpilot.failover.OperatorControls;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.events.ActionRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code drpilot failover ...}: what the failover actuator did. */
@Command(name = "failover", description = "Failovers: what was done, step by step.",
        subcommands = {FailoverCli.History.class, FailoverCli.Approve.class, FailoverCli.Pause.class, FailoverCli.Resume.class,
                CommandLine.HelpCommand.class})
final class FailoverCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = {"Print the failovers on record (drpilot.actions).", "",
                    "Each incident with its outcome, recovery time and data-loss estimate, and its steps with their durations."})
    static final class History implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        KafkaAccess kafkaAccess = new KafkaAccess();

        @Option(names = "--since", paramLabel = "DURATION", defaultValue = "30d", description = "How far back, e.g. 24h, 30d (default ${DEFAULT-VALUE}).")
        String since;

        @Option(names = "--cluster", description = "Only this cluster's failovers.")
        String cluster;

        @Override
        public Integer call() throws Exception {
            DrpilotConfig config = kafkaAccess.config();
            Duration back;
            try {
                back = Durations.parse(since);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--since: " + e.getMessage());
            }
            try (KafkaConnection kafka = kafkaAccess.open(config, "failover history")) {
                List<ActionRecord> records = AuditLog.read(kafka.clientProperties(), Instant.now().minus(back),
                        record -> cluster == null || cluster.equals(record.getCluster()));
                spec.commandLine().getOut().print(FailoverHistory.format(records));
                spec.commandLine().getOut().flush();
            }
            return ExitCodes.OK;
        }
    }

    /** What the operator commands share: the Kafka connection and the writer of instructions. */
    abstract static class OperatorCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        KafkaAccess kafkaAccess = new KafkaAccess();

        @Option(names = "--by", paramLabel = "NAME", description = "Who gives the instruction, for the audit trail (default: $USER).")
        String by;

        abstract ActionRecord write(OperatorControls.Writer writer, String who) throws Exception;

        @Override
        public Integer call() throws Exception {
            DrpilotConfig config = kafkaAccess.config();
            String who = by != null ? by : System.getenv().getOrDefault("USER", "an operator");
            try (KafkaConnection kafka = kafkaAccess.open(config, spec.name())) {
                try (Admin admin = Admin.create(kafka.clientProperties())) {
                    TopicAdmin.ensureTopics(admin, List.of(Topics.FAILOVER_CONTROL, Topics.ACTIONS), config.kafka().partitions(),
                            config.kafka().replicationFactor(), Duration.ofSeconds(30));
                }
                Map<String, Object> props = new HashMap<>(kafka.clientProperties());
                props.put(ProducerConfig.ACKS_CONFIG, "all");
                props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                try (KafkaProducer<String, ActionRecord> producer = new KafkaProducer<>(props, new StringSerializer(),
                        Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
                    ActionRecord record = write(new OperatorControls.Writer(producer, Clock.systemUTC(),
                            KafkaPrincipal.of(kafka.clientProperties())), who);
                    spec.commandLine().getOut().println(record.getDetail());
                    spec.commandLine().getOut().flush();
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = {"Approve a failover that waits for an operator (a cluster in failover mode manual).", "",
                    "The incident id is in the FailoverAwaitingApproval alert and in drpilot failover history."})
    static final class Approve extends OperatorCommand {
        @CommandLine.Parameters(paramLabel = "INCIDENT", description = "The incident whose failover may go ahead.")
        String incident;

        @Override
        ActionRecord write(OperatorControls.Writer writer, String who) throws Exception {
            return writer.approve(incident, who);
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = {"Pause automatic failover of a cluster.", "",
                    "Failover commands for it are refused (and alerted) until drpilot failover resume CLUSTER. For maintenance that "
                            + "stops the primary on purpose."})
    static final class Pause extends OperatorCommand {
        @CommandLine.Parameters(paramLabel = "CLUSTER", description = "The cluster.")
        String cluster;

        @Option(names = "--reason", description = "Why, for the audit trail and the refusal.")
        String reason;

        @Override
        ActionRecord write(OperatorControls.Writer writer, String who) throws Exception {
            return writer.pause(cluster, who, reason);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume automatic failover of a paused cluster.")
    static final class Resume extends OperatorCommand {
        @CommandLine.Parameters(paramLabel = "CLUSTER", description = "The cluster.")
        String cluster;

        @Override
        ActionRecord write(OperatorControls.Writer writer, String who) throws Exception {
            return writer.resume(cluster, who);
        }
    }
}

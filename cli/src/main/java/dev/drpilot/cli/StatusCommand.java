package dev.drpilot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.drpilot.config.DrpilotConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import dev.drpilot.events.Silence;
import dev.drpilot.notify.silence.SilenceStore;
import org.apache.kafka.common.KafkaException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeoutException;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code drpilot status [CLUSTER]}: the terminal view on-call engineers know from {@code patronictl list}, grown by what a DR plan
 * adds: targets beside figures, open alerts, pauses.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print each cluster's nodes, each component's RTO and RPO beside its current figures, the open alerts and "
                + "the pauses in force.", "",
                "Nodes: each node's live role (primary, replica, fenced, rejoining, down, unknown), timeline, upstream, lag and since "
                        + "when, from the observations of the last hour, the agents' leases and the failover records of the last 30 days "
                        + "(the configuration's roles appear only as a note where they differ). Components: the RTO and RPO targets, the "
                        + "newest drill's measured RTO, the recovery point's age and the last good backup. Then the open alerts (rule, "
                        + "severity, since), the clusters whose failover is paused and the failovers waiting for an approval.", "",
                "Exits 0 once everything was read, 1 when the topics could not be read to their end, 2 on invalid configuration "
                        + "or usage."})
final class StatusCommand implements Callable<Integer> {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    enum Output { table, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaAccess kafkaAccess = new KafkaAccess();

    @Parameters(paramLabel = "CLUSTER", arity = "0..1", description = "Only this cluster (its nodes, its component, their alerts and pause).")
    String cluster;

    @Option(names = "--cluster", paramLabel = "CLUSTER", description = "Only this cluster, as the CLUSTER argument says it.")
    String clusterOption;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "How to print it: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Output output;

    // Kept for the scripts written before --output: the same as --output json.
    @Option(names = "--json", hidden = true, description = "The same as --output json.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (cluster != null && clusterOption != null && !cluster.equals(clusterOption)) {
            throw new UsageException("CLUSTER " + cluster + " and --cluster " + clusterOption + " differ: name one cluster");
        }
        cluster = cluster != null ? cluster : clusterOption;
        DrpilotConfig config = kafkaAccess.config();
        if (cluster != null && !config.clusters().containsKey(cluster)) {
            throw new UsageException("no cluster " + cluster + " in the configuration (clusters: " + String.join(", ", config.clusters().keySet()) + ")");
        }
        Instant now = Instant.now();
        StatusReport report;
        try (KafkaConnection kafka = kafkaAccess.open(config, "status");
             KafkaConsumer<byte[], byte[]> consumer = consumer(kafka.clientProperties())) {
            StatusReader.Result result = new StatusReader(READ_TIMEOUT).read(consumer, config, now);
            List<Silence> silences = List.of();
            try {
                silences = new SilenceStore(kafka.clientProperties(), Clock.systemUTC()).read();
            } catch (TimeoutException | KafkaException e) {
                spec.commandLine().getErr().println("warning: the silences could not be read (" + e.getMessage() + "): none are shown");
            }
            report = StatusReport.of(config, result, silences, Optional.ofNullable(cluster), now);
            if (result.unreadable() > 0) {
                spec.commandLine().getErr().println("warning: " + result.unreadable() + " record(s) could not be read and were left out");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json || output == Output.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            out.print(report.table());
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> clientProperties) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        // Looking a topic up must never create it: a status read changes nothing.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}

package dev.drpilot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.notify.metrics.PlantMetrics;
import dev.drpilot.notify.status.StatusSnapshot;
import dev.drpilot.notify.status.TopologyRows;
import dev.drpilot.notify.topology.TopologyReader;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code drpilot status [CLUSTER]}: each node's live role, timeline and upstream, as the status page shows them. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print each node's live role (primary, replica, fenced, rejoining, down, unknown), timeline, upstream,",
                "lag and since when, from the observations of the last hour, the agents' leases and the failover records of",
                "the last 30 days — not the configuration's roles, which appear only as a note where they differ."})
final class StatusCommand implements Callable<Integer> {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final String NONE = "-";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaAccess kafkaAccess = new KafkaAccess();

    @Parameters(paramLabel = "CLUSTER", arity = "0..1", description = "Only this cluster.")
    String cluster;

    @Option(names = "--json", description = "Print JSON (the topology part of the status page's /api/status).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        DrpilotConfig config = kafkaAccess.config();
        if (cluster != null && !config.clusters().containsKey(cluster)) {
            throw new UsageException("no cluster " + cluster + " in the configuration (clusters: " + String.join(", ", config.clusters().keySet()) + ")");
        }
        Instant now = Instant.now();
        List<StatusSnapshot.ClusterTopology> clusters;
        try (KafkaConnection kafka = kafkaAccess.open(config, "status");
             KafkaConsumer<byte[], byte[]> consumer = consumer(kafka.clientProperties())) {
            TopologyReader.Result result = new TopologyReader(READ_TIMEOUT).read(consumer, config, now);
            clusters = TopologyRows.of(result.topology().view(now, name -> PlantMetrics.staleAfter(config.clusters(), name)), now).stream()
                    .filter(found -> cluster == null || cluster.equals(found.cluster())).toList();
            if (result.unreadable() > 0) {
                spec.commandLine().getErr().println("warning: " + result.unreadable() + " record(s) could not be read and were left out");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("generatedAt", now.toString());
            document.put("clusters", clusters);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        } else {
            out.print(table(clusters));
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

    /** One line per node, columns aligned, and under each cluster what is wrong with it. */
    static String table(List<StatusSnapshot.ClusterTopology> clusters) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("CLUSTER", "NODE", "ROLE", "TIMELINE", "UPSTREAM", "LAG", "SINCE", "NOTE"));
        for (StatusSnapshot.ClusterTopology found : clusters) {
            for (StatusSnapshot.NodeRow node : found.nodes()) {
                rows.add(List.of(found.cluster(), node.node(), node.role(), node.timeline() == null ? NONE : node.timeline().toString(),
                        orNone(node.upstream()), orNone(node.lagText()), orNone(node.sinceText()), node.note() == null ? "" : node.note()));
            }
        }
        int[] widths = new int[rows.get(0).size()];
        rows.forEach(row -> {
            for (int column = 0; column < row.size(); column++) {
                widths[column] = Math.max(widths[column], row.get(column).length());
            }
        });
        StringBuilder text = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < row.size(); column++) {
                line.append(column == row.size() - 1 ? row.get(column) : String.format("%-" + widths[column] + "s  ", row.get(column)));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        clusters.stream().filter(found -> found.warning() != null)
                .forEach(found -> text.append("WARNING ").append(found.cluster()).append(": ").append(found.warning()).append('\n'));
        return text.toString();
    }

    private static String orNone(String text) {
        return text == null ? NONE : text;
    }
}

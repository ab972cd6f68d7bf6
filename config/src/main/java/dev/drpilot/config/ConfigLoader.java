package dev.drpilot.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads drpilot's YAML configuration and validates all of it at once: every problem is reported,
 * each with the path of the key it is about, before anything starts.
 */
public final class ConfigLoader {
    // SnakeYAML stops at 3 MiB of text by default: a plant of ~80,000 components. Allow 64 MiB.
    private static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .loaderOptions(loaderOptions(64 << 20)).build());
    /** The detection rules, by the name alerts and routes use. */
    public static final List<String> RULES = List.of("replication-lag", "backup-failed", "rpo-breach", "primary-down",
            "rto-breach", "split-brain", "silent-collector", "failover-health", "database-refuses", "primary-unconfirmed",
            "archiving", "restore-check", "delivery-failed");

    private ConfigLoader() {
    }

    private static LoaderOptions loaderOptions(int codePointLimit) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(codePointLimit);
        return options;
    }

    public static DrpilotConfig load(Path file) {
        return load(file, System::getenv);
    }

    public static DrpilotConfig load(Path file, Function<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of("file not found"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
        return parse(text, file.toString(), env);
    }

    /** @param sourceName how problems name the source (a file name) */
    public static DrpilotConfig parse(String yaml, String sourceName, Function<String, String> env) {
        JsonNode root;
        try {
            root = yaml.isBlank() ? MissingNode.getInstance() : YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(sourceName, List.of(where + ": not valid YAML: " + e.getOriginalMessage()));
        }
        Problems problems = new Problems();
        Section top = Section.of(root, "", problems, env);
        if (root != null && !root.isMissingNode() && !root.isObject() && !root.isNull()) {
            problems.throwIfAny(sourceName);
        }

        KafkaSettings kafka = kafka(top.section("kafka"));
        CollectorSettings collector = collector(top.section("collector"));
        DetectorSettings detector = DetectorSettings.bind(top.section("detector"), kafka);
        IngestApiSettings ingestApi = IngestApiSettings.bind(top.section("ingestApi"));
        Thresholds thresholds = Thresholds.bind(top.section("thresholds"), Thresholds.drPlan());
        AlertSettings alerts = alerts(top.section("alerts"));
        List<ExpectedCollector> expectedCollectors = expectedCollectors(top);
        PlantBinder plant = new PlantBinder(top, thresholds);
        var components = plant.components();
        var clusters = plant.clusters(components);
        ProbeBinder probes = new ProbeBinder(top);
        var probeList = probes.probes();
        var backups = probes.backups();
        AlertingBinder alerting = new AlertingBinder(top);
        var receivers = alerting.receivers();
        var routes = alerting.routes(receivers);
        var runbooks = new RunbookBinder(top).runbooks();
        DrillSettings drills = new DrillBinder(top, components, clusters, backups).drills();
        SilencingBinder silencing = new SilencingBinder(top);
        var maintenance = silencing.maintenance(clusters);
        var inhibit = silencing.inhibit();
        top.finish();

        DrpilotConfig config = new DrpilotConfig(kafka, collector, ingestApi, components, clusters, probeList, backups, thresholds,
                alerts, expectedCollectors, receivers, routes, runbooks, drills, maintenance, inhibit, detector);
        new CrossChecks(config, problems).run();
        problems.throwIfAny(sourceName);
        return config;
    }

    private static KafkaSettings kafka(Section kafka) {
        Optional<String> bootstrap = kafka.optionalString("bootstrapServers");
        Section embedded = kafka.section("embedded");
        Path stateDir = Path.of(embedded.string("stateDir", "./var/kafka"));
        int port = embedded.integer("port", 9092, 0, 65535);
        embedded.finish();
        // One process on one embedded broker gains nothing from more partitions, and each one multiplies the detector's
        // state stores (a RocksDB instance per store and partition): 6 partitions took ~200 of them and ~170 MiB more
        // resident memory than 1 in the footprint benchmark (docs/benchmarks.md).
        int partitions = kafka.integer("partitions", bootstrap.isPresent() ? 6 : 1, 1, 10_000);
        Optional<Short> replication = kafka.has("replicationFactor")
                ? Optional.of((short) kafka.integer("replicationFactor", 1, 1, Short.MAX_VALUE)) : Optional.empty();
        Map<String, String> properties = new LinkedHashMap<>();
        kafka.stringMap("properties").forEach((key, value) -> {
            try {
                properties.put(key, Secret.interpolate(value, kafka.env()));
            } catch (IllegalArgumentException e) {
                kafka.problems().add(kafka.child("properties") + "." + key, e.getMessage());
            }
        });
        if (properties.containsKey("bootstrap.servers")) {
            kafka.problems().add(kafka.child("properties") + ".bootstrap.servers", "set kafka.bootstrapServers instead");
        }
        kafka.finish();
        return new KafkaSettings(bootstrap, new KafkaSettings.Embedded(stateDir, port), partitions, replication, properties);
    }

    private static CollectorSettings collector(Section collector) {
        String id = collector.string("id", hostName());
        if (ApiSource.isApi(id)) {
            collector.problems().add(collector.child("id"), "\"" + id + "\" starts with " + ApiSource.PREFIX
                    + ", which marks observations that came through the ingest API");
        }
        if (AgentSettings.isAgent(id)) {
            collector.problems().add(collector.child("id"), "\"" + id + "\" starts with " + AgentSettings.PREFIX
                    + ", which marks observations of node agents");
        }
        String vantage = collector.string("vantage", id);
        Duration heartbeat = collector.duration("heartbeatInterval", Duration.ofSeconds(10));
        collector.finish();
        return new CollectorSettings(id, vantage, heartbeat);
    }

    private static AlertSettings alerts(Section section) {
        Optional<String> runbookUrl = section.optionalString("runbookUrl");
        runbookUrl.filter(url -> !ProbeBinder.isHttpUrl(url.replaceAll("\\{[a-z]+}", "x")))
                .ifPresent(url -> section.problems().add(section.child("runbookUrl"), "\"" + url + "\" is not an http:// or https:// URL"));
        Map<String, String> runbookUrls = section.stringMap("runbookUrls");
        runbookUrls.forEach((rule, url) -> {
            if (!RULES.contains(rule)) {
                section.problems().add(section.child("runbookUrls") + "." + rule, "no rule named \"" + rule + "\" (rules: " + String.join(", ", RULES) + ")");
            }
            if (!ProbeBinder.isHttpUrl(url.replaceAll("\\{[a-z]+}", "x"))) {
                section.problems().add(section.child("runbookUrls") + "." + rule, "\"" + url + "\" is not an http:// or https:// URL");
            }
        });
        Optional<Duration> reemit = section.optionalDuration("reemitInterval");
        reemit.filter(interval -> interval.isZero() || interval.isNegative())
                .ifPresent(interval -> section.problems().add(section.child("reemitInterval"), "must be longer than 0s"));
        AlertSettings settings = new AlertSettings(runbookUrl, runbookUrls, reemit,
                section.duration("evaluationInterval", Duration.ofSeconds(5)));
        section.finish();
        return settings;
    }

    private static List<ExpectedCollector> expectedCollectors(Section top) {
        List<ExpectedCollector> expected = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Section item : top.list("expectedCollectors")) {
            String id = item.required("id");
            ExpectedCollector collector = new ExpectedCollector(id, item.duration("heartbeatInterval", Duration.ofSeconds(10)));
            if (!id.isEmpty() && !ids.add(id)) {
                item.problems().add(item.child("id"), "\"" + id + "\" is listed twice");
            }
            item.finish();
            expected.add(collector);
        }
        return expected;
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "drpilot";
        }
    }
}

package dev.drpilot.cli;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.RestoreCheckQuery;
import dev.drpilot.recovery.RestoreCheckPublisher;
import dev.drpilot.recovery.RestoreCheckRunner;
import dev.drpilot.recovery.RestoreTarget;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code drpilot restore-check COMPONENT}: one restore check now, by hand. */
@Command(name = "restore-check", mixinStandardHelpOptions = true,
        description = {"Restore the component's newest backup into its scratch directory and check it.", "",
                "The restore (backups[].restoreCheck) is recovered to the target; the check queries run; the server is stopped and "
                        + "removed; the outcome is published on drpilot.recovery.checks. Exits 0 when the check succeeded, 1 when it failed (or was refused), 2 on invalid configuration or usage."})
final class RestoreCheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COMPONENT", description = "A component with backups[].restoreCheck configured.")
    String component;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "The configuration.")
    Path configFile;

    @Option(names = "--target", paramLabel = "latest|time:<ISO-8601>|now-minus-rpo",
            description = "What recovery aims for (default: the configured restoreCheck.target, now-minus-rpo unless set).")
    String target;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster; overrides kafka.bootstrapServers.")
    String bootstrapServers;

    @Option(names = "--no-publish", description = "Only print the outcome; publish nothing.")
    boolean noPublish;

    @Override
    public Integer call() {
        DrpilotConfig config = ConfigLoader.load(configFile);
        if (!RestoreCheckRunner.components(config).contains(component)) {
            throw new UsageException("COMPONENT: \"" + component + "\" has no restore check in " + configFile
                    + (RestoreCheckRunner.components(config).isEmpty() ? " (no component has backups[].restoreCheck)"
                    : " (components with one: " + String.join(", ", RestoreCheckRunner.components(config)) + ")"));
        }
        RestoreCheckRunner runner = new RestoreCheckRunner(config, config.collector().id());
        RestoreTarget restoreTarget = target == null || target.equals("now-minus-rpo") ? runner.defaultTarget(component)
                : RestoreTarget.parse(target).orElseThrow(() -> new UsageException("--target: \"" + target
                + "\" is not latest, time:<ISO-8601 instant> (e.g. time:2026-12-01T03:00:00Z) or now-minus-rpo"));
        RestoreCheck check = runner.run(component, restoreTarget);
        print(check, spec.commandLine().getOut());
        if (!noPublish) {
            publish(config, check);
        }
        return check.getSucceeded() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private void publish(DrpilotConfig config, RestoreCheck check) {
        try (KafkaConnection kafka = KafkaConnection.open(config.kafka(), bootstrapServers, false, null, "restore-check")) {
            Map<String, Object> props = kafka.oneShotProducerProperties();
            Topic<String, RestoreCheck> topic = Topics.RESTORE_CHECKS;
            try (KafkaProducer<String, RestoreCheck> producer = new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
                new RestoreCheckPublisher(producer, Duration.ofSeconds(40)).publish(check);
            }
        }
        spec.commandLine().getOut().printf("published on %s%n", Topics.RESTORE_CHECKS.name());
        spec.commandLine().getOut().flush();
    }

    static void print(RestoreCheck check, PrintWriter out) {
        out.printf("restore check of %s: %s%n", check.getComponent(), check.getSucceeded() ? "SUCCEEDED" : "FAILED");
        if (check.getError() != null) {
            out.printf("  error:           %s%n", check.getError());
        }
        out.printf("  tool / backup:   %s / %s%n", check.getTool(), check.getBackupName() == null ? "-" : check.getBackupName());
        out.printf("  target:          %s%n", check.getTargetTime() == null ? check.getTarget() : check.getTargetTime());
        out.printf("  reached:         %s%n", check.getRecoveryPointAt() == null ? "-" : check.getRecoveryPointAt());
        out.printf("  restore took:    %s (RTO %s)%s%n", Durations.format(Duration.ofMillis(check.getDurationMillis())),
                Durations.format(Duration.ofMillis(check.getRtoMillis())),
                check.getExceededRto() ? " EXCEEDED" : "");
        for (RestoreCheckQuery query : check.getChecks()) {
            out.printf("  check %-10s %s  %s%n", query.getName(), query.getPassed() ? "pass" : "FAIL", query.getDetail());
        }
        out.flush();
    }
}

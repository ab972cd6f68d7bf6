package dev.drpilot.cli;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.DeadLetters;
import dev.drpilot.failover.OperatorControls;
import dev.drpilot.recovery.RestoreCheckPublisher;
import dev.drpilot.recovery.RestoreCheckRunner;
import dev.drpilot.recovery.drill.ActuatorLink;
import dev.drpilot.recovery.drill.DrillReports;
import dev.drpilot.recovery.drill.DrillRunner;
import dev.drpilot.recovery.drill.OperatorChannel;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A drill runner wired to Kafka: its own link to the actuator's topics, the operators' control topic through the
 * failover module's own reader and writer (pauses read as the actuator reads them, orders written as
 * {@code drpilot switchover} writes them), and restore checks published as {@code drpilot restore-check} publishes them.
 */
final class DrillWiring implements AutoCloseable {
    private final ActuatorLink link;
    private final Producer<String, ActionRecord> controlProducer;
    private final AuditLog audit;
    private final DeadLetters deadLetters;
    private final Producer<String, RestoreCheck> restoreProducer;
    private final DrillRunner runner;
    private final DrillReports reports;

    DrillWiring(DrpilotConfig config, Map<String, Object> kafka, Clock clock) {
        String principal = KafkaPrincipal.of(kafka);
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.link = new ActuatorLink(kafka, "drpilot-drill");
        this.controlProducer = new KafkaProducer<>(props, new StringSerializer(), Topics.FAILOVER_CONTROL.valueSerde().serializer());
        this.audit = new AuditLog(controlProducer, kafka);
        this.deadLetters = DeadLetters.open(kafka, audit, clock);
        OperatorControls controls = new OperatorControls(kafka, deadLetters);
        OperatorControls.Writer writer = new OperatorControls.Writer(controlProducer, clock, principal);
        OperatorChannel operators = new OperatorChannel() {
            @Override
            public Optional<String> pause(String cluster) throws Exception {
                return controls.pause(cluster).map(ActionRecord::getDetail);
            }

            @Override
            public void order(String incidentId, String cluster, String detail) throws Exception {
                writer.order(incidentId, cluster, "drpilot drill", detail);
            }
        };
        this.restoreProducer = new KafkaProducer<>(props, Topics.RESTORE_CHECKS.keySerde().serializer(), Topics.RESTORE_CHECKS.valueSerde().serializer());
        RestoreCheckPublisher publisher = new RestoreCheckPublisher(restoreProducer, Duration.ofSeconds(40));
        RestoreCheckRunner restores = new RestoreCheckRunner(config, config.collector().id());
        this.runner = new DrillRunner(config, link, operators, component -> {
            RestoreCheck check = restores.run(component, restores.defaultTarget(component));
            publisher.publish(check);
            return check;
        }, clock);
        this.reports = new DrillReports(config.drills().reportDirectory());
    }

    DrillRunner runner() {
        return runner;
    }

    DrillReports reports() {
        return reports;
    }

    @Override
    public void close() {
        link.close();
        restoreProducer.close(Duration.ofSeconds(10));
        deadLetters.close();
        audit.close();
    }
}

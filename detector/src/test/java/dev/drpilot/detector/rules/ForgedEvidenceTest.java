package dev.drpilot.detector.rules;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.NodeRole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.drpilot.detector.RuleDriver.at;
import static dev.drpilot.detector.RuleDriver.postgres;
import static dev.drpilot.detector.RuleDriver.replica;
import static dev.drpilot.detector.RuleDriver.viaApi;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the ingest API's callers can and cannot do to a primary's fate: a source that is not
 * configured as a vantage neither confirms nor denies anything about a database node, and a
 * record stamped in the future makes no honest evidence stale.
 */
class ForgedEvidenceTest {
    private static final String CONFIG = """
            ingestApi:
              tokens:
                - {name: backup-cron, token: "${CRON_TOKEN}"}
                - {name: eu-prober, token: "${PROBER_TOKEN}", vantage: true}
            components: [{name: orders-db, kind: database}]
            thresholds: {evidenceMaxAge: 30s, resolveHold: 10s}
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: pg-1}
                  - {name: pg-2, host: pg-2}
                failover: {mode: auto, quorum: 2, holdProbes: 3}
            """;

    private final RuleDriver driver = new RuleDriver(ConfigLoader.parse(CONFIG, "test", name -> "secret-" + name));

    @AfterEach
    void stop() {
        driver.close();
    }

    private void probe(double second, String vantage, String node, NodeRole role) {
        driver.health("orders", postgres(second, vantage, "orders-db", "orders", node, role));
    }

    private void api(String source, double second, String node, NodeRole role) {
        driver.health("orders", viaApi(source, postgres(second, "forged", "orders-db", "orders", node, role)));
    }

    /** The alerts of one rule emitted since the last read (reading consumes every rule's). */
    private List<Alert> rule(String name) {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals(name)).toList();
    }

    @Test
    void forgedVantagesFromASourceThatIsNoVantageCannotMakeAQuorum() {
        for (double s = 0; s <= 4; s += 2) {
            probe(s, "eu-1", "pg-1", null);
            api("backup-cron", s + 0.5, "pg-1", null);
            driver.replication("orders", viaApi("backup-cron", replica(s + 0.5, "x", "orders-db", "orders", "pg-2", null, 0.0)));
        }
        assertThat(driver.commands()).isEmpty();
        List<Alert> alerts = driver.alerts();
        assertThat(alerts).extracting(Alert::getRule).doesNotContain("primary-down");
        assertThat(alerts).as("eu-1 is the only vantage: the failure cannot be confirmed")
                .filteredOn(alert -> alert.getRule().equals("primary-unconfirmed")).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);
    }

    @Test
    void anApiSourceConfiguredAsAVantageCounts() {
        for (double s = 0; s <= 4; s += 2) {
            probe(s, "eu-1", "pg-1", null);
            api("eu-prober", s + 0.5, "pg-1", null);
        }
        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getEvidence())
                .extracting(source -> source.getVantage()).containsExactlyInAnyOrder("eu-1", "api:eu-prober"));
    }

    @Test
    void aForgedWritablePrimaryCannotClearTheEvidenceOfAnOutage() {
        for (double s = 0; s <= 4; s += 2) {
            probe(s, "eu-1", "pg-1", null);
            api("backup-cron", s + 0.2, "pg-2", NodeRole.PRIMARY);   // "pg-2 is the primary now": would reset every vantage
            api("backup-cron", s + 0.3, "pg-1", NodeRole.PRIMARY);   // "pg-1 answers": would deny the failure
            probe(s + 0.5, "us-1", "pg-1", null);
        }
        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getFailedNode()).isEqualTo("pg-1"));
        assertThat(rule("split-brain")).as("pg-2's claim is no claim").isEmpty();
    }

    @Test
    void aSourceThatIsNoVantageCannotRaiseOrClearSplitBrain() {
        probe(0, "eu-1", "pg-1", NodeRole.PRIMARY);
        api("backup-cron", 1, "pg-2", NodeRole.PRIMARY);
        assertThat(rule("split-brain")).isEmpty();

        probe(2, "eu-1", "pg-2", NodeRole.PRIMARY);                 // a real second primary
        assertThat(rule("split-brain")).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);
        for (double s = 3; s <= 20; s += 1) {
            api("backup-cron", s, "pg-2", NodeRole.REPLICA);        // "pg-2 is a replica again"
            api("backup-cron", s, "pg-1", null);
        }
        assertThat(rule("split-brain")).as("still firing").isEmpty();
    }

    @Test
    void aRecordStampedAheadOfTheStreamTimeCannotMakeHonestEvidenceStale() {
        probe(0, "eu-1", "pg-1", null);
        probe(0.5, "us-1", "pg-1", null);
        probe(2, "eu-1", "pg-1", null);
        probe(2.5, "us-1", "pg-1", null);
        probe(4, "eu-1", "pg-1", null);
        // Received at 4.2 but stamped 29.9 s ahead (within the API's bound): judged by its stamp, eu-1's
        // failure at 4 would be more than evidenceMaxAge (30s) old, and one vantage would be left.
        driver.health("orders", viaApi("eu-prober", postgres(34.1, "x", "orders-db", "orders", "pg-1", NodeRole.PRIMARY)), at(4.2));
        probe(4.5, "us-1", "pg-1", null);

        assertThat(driver.commands()).as("confirmed by eu-1 and us-1 at once").singleElement()
                .satisfies(command -> assertThat(command.getEvidence()).extracting(source -> source.getVantage())
                        .containsExactlyInAnyOrder("eu-1", "us-1"));
    }

    @Test
    void aRecordStampedFurtherAheadThanTheFreshnessWindowIsNoEvidence() {
        probe(0, "eu-1", "pg-1", null);
        probe(0.5, "us-1", "pg-1", null);
        // From a collector with a clock 10 minutes fast (or a forgery on the topic): "pg-2 is primary".
        driver.health("orders", postgres(600, "ap-1", "orders-db", "orders", "pg-2", NodeRole.PRIMARY), at(1));
        probe(2, "eu-1", "pg-1", null);
        probe(2.5, "us-1", "pg-1", null);
        probe(4, "eu-1", "pg-1", null);
        probe(4.5, "us-1", "pg-1", null);

        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getFailedNode()).isEqualTo("pg-1"));
        assertThat(rule("split-brain")).isEmpty();
    }
}

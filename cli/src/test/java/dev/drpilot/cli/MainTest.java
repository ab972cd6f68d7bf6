package dev.drpilot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();
    private final java.io.StringWriter out = cli.out;
    private final java.io.StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void helpListsEveryCommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "ingest", "detect", "act", "config", "version");
    }

    @Test
    void theAgentRefusesANodeWithoutAgentSettingsBeforeItConnectsAnywhere() throws IOException {
        Path file = dir.resolve("agentless.yaml");
        Files.writeString(file, """
                kafka: {bootstrapServers: "127.0.0.1:1"}
                components: [{name: orders-db, kind: database, cluster: orders}]
                clusters:
                  orders:
                    component: orders-db
                    nodes: [{name: pg-1, role: primary, host: db1.internal}]
                """);

        assertThat(run("agent", "--config", file.toString(), "--cluster", "orders", "--node", "pg-1")).isEqualTo(2);
        assertThat(err.toString()).contains("clusters.orders.nodes[0].agent is missing");
        assertThat(run("agent", "--config", file.toString(), "--cluster", "orders", "--node", "pg-9")).isEqualTo(2);
        assertThat(err.toString()).contains("cluster orders has no node \"pg-9\" (nodes: pg-1)");
    }

    @Test
    void versionNamesKafkaAndJava() {
        assertThat(run("version")).isZero();
        assertThat(out.toString()).contains("drpilot ").contains("Kafka clients 4.").contains("Java ");
    }

    @Test
    void configCheckPrintsTheEffectiveConfigurationOfAValidFile() throws IOException {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
                components:
                  - name: orders-db
                    kind: database
                """);

        assertThat(run("config", "check", file.toString())).isZero();
        assertThat(out.toString()).contains("valid").contains("orders-db").contains("rpo: 5m").contains("rto: 15m");
    }

    @Test
    void configCheckRefusesAnIngestApiOnAllAddressesWithoutATokenNamingTheKey() throws IOException {
        Path file = dir.resolve("open.yaml");
        Files.writeString(file, """
                ingestApi:
                  bind: 0.0.0.0
                """);

        assertThat(run("config", "check", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("ingestApi.bind: 0.0.0.0 is not a loopback address and no ingestApi.tokens are configured")
                .contains("ingestApi.allowUnauthenticated: true");
        assertThat(out.toString()).isEmpty();

        Files.writeString(file, """
                ingestApi:
                  bind: 0.0.0.0
                  allowUnauthenticated: true
                """);
        assertThat(run("config", "check", file.toString())).isZero();
    }

    @Test
    void configCheckExitsTwoAndPrintsEveryProblem() throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, """
                components:
                  - name: orders-db
                    kind: database
                    rpo: 5 minutes
                clusters:
                  orders:
                    component: orders-db
                    nodes: []
                """);

        assertThat(run("config", "check", file.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("components[0].rpo: \"5 minutes\" is not a duration (use 90s, 5m, 1h)")
                .contains("clusters.orders.nodes: a cluster needs at least one node");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anInvalidMetricsAddressIsAUsageErrorBeforeAnythingStarts() {
        assertThat(run("act", "--metrics-listen", "127.0.0.1:99999", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value '127.0.0.1:99999' for option '--metrics-listen'");
        assertThat(run("run", "--help")).isZero();
        assertThat(out.toString()).contains("--metrics-listen");
    }

    @Test
    void aSingleServiceWithoutAKafkaClusterSaysWhatToSet() {
        assertThat(run("detect")).isEqualTo(2);
        assertThat(err.toString()).contains("kafka.bootstrapServers").contains("--bootstrap-servers");
    }

    @Test
    void anInvalidHealthAddressIsAUsageErrorBeforeAnythingStarts() {
        assertThat(run("detect", "--health-listen", "nowhere:port", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value 'nowhere:port' for option '--health-listen'");
        assertThat(run("detect", "--help")).isZero();
        assertThat(out.toString()).contains("--health-listen");
    }
}

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
        assertThat(out.toString()).contains("run", "ingest", "detect", "act", "config", "version", "restore-check", "recovery");
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
    void anUnknownCommandIsOneLineNamingTheClosestMatch() {
        assertThat(run("stauts")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("drpilot: 'stauts' is not a drpilot command; did you mean 'drpilot status'?"
                + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void helpOfAnUnknownCommandIsAnErrorNotTheTopLevelHelp() {
        assertThat(run("stauts", "--help")).isEqualTo(2);
        assertThat(err.toString()).contains("'stauts' is not a drpilot command").doesNotContain("Usage:");
        assertThat(out.toString()).isEmpty();
        assertThat(run("failover", "histroy", "--help")).isEqualTo(2);
        assertThat(err.toString()).contains("drpilot failover: 'histroy' is not a drpilot failover command; did you mean "
                + "'drpilot failover history'?");
    }

    @Test
    void anUnknownOptionIsOneLineWithWhereToReadMore() {
        assertThat(run("status", "--bogus")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("drpilot status: Unknown option: '--bogus' (see 'drpilot status --help')");
    }

    @Test
    void statusNamesAClusterThatIsNotConfiguredBeforeItConnects() throws IOException {
        Path file = dir.resolve("status.yaml");
        Files.writeString(file, """
                components: [{name: orders-db, kind: database, cluster: orders}]
                clusters:
                  orders:
                    component: orders-db
                    nodes: [{name: pg-1, role: primary, host: db1.internal}]
                """);

        assertThat(run("status", "--cluster", "billing", "-c", file.toString(), "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("drpilot status: no cluster billing in the configuration (clusters: orders)");
        assertThat(run("status", "orders", "--cluster", "billing", "-c", file.toString(), "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("CLUSTER orders and --cluster billing differ: name one cluster");
        assertThat(run("status", "--output", "yaml", "-c", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--output").contains("table, json");
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
    void configCheckRefusesABadRestoreCheckNamingTheKeys() throws IOException {
        Path file = dir.resolve("restore.yaml");
        Files.writeString(file, """
                components:
                  - {name: orders-db, kind: database}
                backups:
                  - component: orders-db
                    tool: pgbackrest
                    stanza: main
                    restoreCheck: {schedule: "every sunday", scratchDirectory: var/restore}
                  - component: billing-db
                    tool: wal-g
                    restoreCheck: {schedule: "0 3 * * 0"}
                """);

        assertThat(run("config", "check", file.toString())).isEqualTo(2);
        assertThat(err.toString())
                .contains("backups[0].restoreCheck.schedule: \"every sunday\": \"sunday\" is not a duration")
                .contains("backups[0].restoreCheck.scratchDirectory: \"var/restore\" is not an absolute path")
                .contains("backups[1].component: no component named \"billing-db\" (known: orders-db)");
    }

    @Test
    void configCheckRefusesAScratchDirectoryThatIsNotEmptyNamingTheKey() throws IOException {
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        Files.writeString(scratch.resolve("PG_VERSION"), "15");
        Path file = dir.resolve("restore.yaml");
        Files.writeString(file, """
                components:
                  - {name: orders-db, kind: database}
                backups:
                  - component: orders-db
                    tool: pgbackrest
                    stanza: main
                    restoreCheck: {scratchDirectory: %s}
                """.formatted(scratch));

        assertThat(run("config", "check", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("backups[0].restoreCheck.scratchDirectory: " + scratch + " is not empty (it holds PG_VERSION)");
        assertThat(scratch.resolve("PG_VERSION")).as("left as it was").hasContent("15");
    }

    @Test
    void restoreCheckOfAComponentWithoutOneIsAUsageError() throws IOException {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
                components:
                  - {name: orders-db, kind: database}
                  - {name: billing-db, kind: database}
                backups:
                  - component: orders-db
                    tool: pgbackrest
                    stanza: main
                    restoreCheck: {}
                """);

        assertThat(run("restore-check", "billing-db", "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("COMPONENT: \"billing-db\" has no restore check in " + file + " (components with one: orders-db)");
        assertThat(run("restore-check", "orders-db", "--config", file.toString(), "--target", "yesterday")).isEqualTo(2);
        assertThat(err.toString()).contains("--target: \"yesterday\" is not latest, time:<ISO-8601 instant>");
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
        assertThat(run("detect", "--metrics-listen", "nowhere:port", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value 'nowhere:port' for option '--metrics-listen'");
        assertThat(run("ingest", "--metrics-listen", "127.0.0.1:70000", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value '127.0.0.1:70000' for option '--metrics-listen'");
        assertThat(run("detect", "--help")).isZero();
        assertThat(out.toString()).contains("--metrics-listen").contains(":8082");
        assertThat(run("ingest", "--help")).isZero();
        assertThat(out.toString()).contains("--metrics-listen").contains("8083");
        assertThat(run("recovery", "--metrics-listen", "127.0.0.1:70000", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value '127.0.0.1:70000' for option '--metrics-listen'");
        assertThat(run("drill", "serve", "--metrics-listen", "nowhere:port", "--bootstrap-servers", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value 'nowhere:port' for option '--metrics-listen'");
        assertThat(run("recovery", "--help")).isZero();
        assertThat(out.toString()).contains("--metrics-listen").contains(":8085");
        assertThat(run("drill", "serve", "--help")).isZero();
        assertThat(out.toString()).contains("--metrics-listen").contains(":8086");
    }
}

package dev.drpilot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** drpilot rejoin refuses what it can tell is wrong before it connects anywhere: exit 2, naming it. */
class RejoinCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private Path config() throws IOException {
        Path file = dir.resolve("orders.yaml");
        Files.writeString(file, """
                kafka: {bootstrapServers: "127.0.0.1:1"}
                components: [{name: orders-db, kind: database, cluster: orders}]
                clusters:
                  orders:
                    component: orders-db
                    nodes:
                      - {name: pg-1, role: primary, host: db1.internal, agent: {dataDir: /var/lib/pg, bin: /usr/lib/postgresql/15/bin}}
                      - {name: pg-2, host: db2.internal}
                """);
        return file;
    }

    @Test
    void anUnknownClusterIsNamed() throws IOException {
        assertThat(cli.run("rejoin", "--config", config().toString(), "billing", "pg-1")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("drpilot rejoin: no cluster named \"billing\"").contains("(clusters: orders)");
    }

    @Test
    void anUnknownNodeIsNamed() throws IOException {
        assertThat(cli.run("rejoin", "--config", config().toString(), "orders", "pg-9")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("cluster orders has no node named \"pg-9\" (nodes: pg-1, pg-2)");
    }

    @Test
    void aNodeWithoutAnAgentIsNamed() throws IOException {
        assertThat(cli.run("rejoin", "--config", config().toString(), "orders", "pg-2")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("node pg-2 of cluster orders has no agent (clusters.orders.nodes[1].agent)");
    }

    @Test
    void itIsListedWithTheOtherCommands() {
        assertThat(cli.run("--help")).isZero();
        assertThat(cli.out.toString()).contains("rejoin");
    }
}

package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DbAddressTest {
    private static NodeConfig node(String host, int port) {
        return new NodeConfig("pg-2", NodeConfig.Role.REPLICA, host, port, "app", Optional.empty(), Optional.empty(), Optional.empty(),
                50, List.of(), Optional.empty());
    }

    @Test
    void aHostIsReplacedByTheCandidatesHost() {
        assertThat(DbAddress.replacing(Optional.of("pg-1.orders.svc"), node("pg-2.orders.svc", 5432))).contains("pg-2.orders.svc");
        assertThat(DbAddress.replacing(Optional.of("10.0.0.1"), node("10.0.0.2", 5432))).contains("10.0.0.2");
        assertThat(DbAddress.replacing(Optional.of("fd00::1"), node("fd00::2", 5432))).contains("fd00::2");
        assertThat(DbAddress.replacing(Optional.empty(), node("pg-2", 5432))).contains("pg-2");
    }

    @Test
    void hostAndPortKeepsItsShapeWithTheCandidatesPort() {
        assertThat(DbAddress.replacing(Optional.of("pg-1:5432"), node("pg-2", 5433))).contains("pg-2:5433");
        assertThat(DbAddress.replacing(Optional.of("db1:5432"), node("db2", 5432))).contains("db2:5432");
        assertThat(DbAddress.replacing(Optional.of("[fd00::1]:5432"), node("fd00::2", 5432))).contains("[fd00::2]:5432");
    }

    @Test
    void otherShapesAreNotRewritten() {
        assertThat(DbAddress.replacing(Optional.of("postgres://pg-1:5432/app"), node("pg-2", 5432))).isEmpty();
        assertThat(DbAddress.replacing(Optional.of("pg-1,pg-2"), node("pg-2", 5432))).isEmpty();
    }
}

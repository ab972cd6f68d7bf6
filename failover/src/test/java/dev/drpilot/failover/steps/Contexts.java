package dev.drpilot.failover.steps;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.failover.FailoverContext;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A failover of cluster orders from pg-1 to a chosen candidate, as the check step leaves it. */
final class Contexts {
    static final ClusterConfig ORDERS = ConfigLoader.parse("""
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: pg-1}
                  - {name: pg-2, host: pg-2}
            """, "test", name -> null).clusters().get("orders");

    private Contexts() {
    }

    static NodeConfig node(String name, String host, int port, Optional<String> rdsInstanceId) {
        return new NodeConfig(name, NodeConfig.Role.REPLICA, host, port, "app", Optional.empty(), Optional.empty(), Optional.empty(),
                50, List.of(), rdsInstanceId);
    }

    static FailoverContext failingOverTo(NodeConfig candidate) {
        FailoverContext context = new FailoverContext("inc-7", ORDERS, ORDERS.node("pg-1"), Instant.parse("2026-11-24T03:00:00Z"), false);
        context.chooseCandidate(candidate);
        return context;
    }

    static FailoverContext failingOverTo(String host) {
        return failingOverTo(node("pg-2", host, 5432, Optional.empty()));
    }
}

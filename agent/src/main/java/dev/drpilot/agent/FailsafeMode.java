package dev.drpilot.agent;

import dev.drpilot.agent.failsafe.FailsafeAsker;
import dev.drpilot.agent.failsafe.FailsafePeers;
import dev.drpilot.agent.failsafe.FailsafeResponder;
import dev.drpilot.agent.failsafe.FailsafeServer;
import dev.drpilot.config.AgentSettings;

import java.util.List;
import java.util.Map;

/**
 * Failsafe mode of one agent (docs/agent.md): both sides, since any node may be primary — the keeper that asks the other
 * agents while this node holds the lease and Kafka is silent, and the responder that answers them while it is a replica,
 * with the lease topic read for it.
 */
final class FailsafeMode implements AutoCloseable {
    private final FailsafeServer server;
    private final LeaseTopicWatch leases;
    private final FailsafeKeeper keeper;
    private final FailsafeResponder responder;

    FailsafeMode(AgentSettings settings, AgentIdentity identity, FailsafePeers peers, Lease lease, PromotionPromise promise,
                 Map<String, Object> kafkaClientProperties, NanoClock clock) {
        this.server = new FailsafeServer(settings);
        this.leases = new LeaseTopicWatch(kafkaClientProperties, identity, settings.checkInterval());
        this.keeper = new FailsafeKeeper(settings, identity, lease, new FailsafeAsker(peers, FailsafeServer.questionTimeout(settings)),
                server, clock);
        this.responder = server.responder(peers, leases::newest, promise);
    }

    List<AgentLoop> loops() {
        return List.of(leases, keeper);
    }

    FailsafeResponder responder() {
        return responder;
    }

    FailsafeKeeper keeper() {
        return keeper;
    }

    LeaseTopicWatch leases() {
        return leases;
    }

    /** Only the server connection: the loops are stopped with the agent's other loops. */
    @Override
    public void close() {
        server.close();
    }
}

package dev.drpilot.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Checks between sections: names that must refer to something declared elsewhere, and limits that depend on each other. */
final class CrossChecks {
    private final DrpilotConfig config;
    private final Problems problems;

    CrossChecks(DrpilotConfig config, Problems problems) {
        this.config = config;
        this.problems = problems;
    }

    void run() {
        clockSkew();
        Set<String> components = config.components().stream().map(Component::name).collect(Collectors.toSet());
        List<Component> list = config.components();
        for (int i = 0; i < list.size(); i++) {
            Component component = list.get(i);
            String path = "components[" + i + "]";
            component.cluster().filter(cluster -> !config.clusters().containsKey(cluster))
                    .ifPresent(cluster -> problems.add(path + ".cluster", "no cluster named \"" + cluster + "\""));
            component.rpo().filter(rpo -> rpo.compareTo(component.thresholds().replicationLag()) <= 0)
                    .ifPresent(rpo -> problems.add(path + ".rpo", Durations.format(rpo)
                            + " must be longer than thresholds.replicationLag (" + Durations.format(component.thresholds().replicationLag())
                            + "), or lag would breach the RPO before it warns"));
        }
        config.clusters().forEach((name, cluster) -> {
            String path = "clusters." + name;
            if (!cluster.component().isEmpty() && !components.contains(cluster.component())) {
                problems.add(path + ".component", "no component named \"" + cluster.component() + "\"" + known(components));
            }
            if (!config.runbooks().containsKey(cluster.failover().runbook())) {
                problems.add(path + ".failover.runbook", "no runbook named \"" + cluster.failover().runbook() + "\"" + known(config.runbooks().keySet()));
            }
            Runbook runbook = config.runbooks().get(cluster.failover().runbook());
            if (runbook != null && cluster.failover().mode() == FailoverSettings.Mode.AUTO && !fences(runbook)
                    && cluster.failover().unreachablePrimary() != FailoverSettings.UnreachablePrimary.PROMOTE) {
                // Without a fence nothing finds out whether the old primary is down or only silent: the promotion is refused at run
                // time, so an automatic failover with this runbook could never succeed.
                problems.add(path + ".failover.runbook", "runbook \"" + cluster.failover().runbook() + "\" has no fence step, so failover"
                        + " mode auto could never promote: add a fence step, or set failover.unreachablePrimary to promote (accepting a"
                        + " split brain while the old primary may still take writes)");
            }
            if (cluster.failover().mode() != FailoverSettings.Mode.OFF && cluster.nodes().stream().noneMatch(NodeConfig::mayBePromoted)) {
                problems.add(path + ".failover.mode", "failover is " + ConfigNames.of(cluster.failover().mode())
                        + " but every node is tagged nofailover");
            }
            if (cluster.failover().failsafe()) {
                failsafe(path, cluster);
            }
        });
        List<Probe> probes = config.probes();
        for (int i = 0; i < probes.size(); i++) {
            Probe probe = probes.get(i);
            String path = "probes[" + i + "]";
            if (!probe.component().isEmpty() && !components.contains(probe.component())) {
                problems.add(path + ".component", "no component named \"" + probe.component() + "\"" + known(components));
            }
            probe.cluster().ifPresent(clusterName -> {
                ClusterConfig cluster = config.clusters().get(clusterName);
                if (cluster == null) {
                    problems.add(path + ".cluster", "no cluster named \"" + clusterName + "\"" + known(config.clusters().keySet()));
                } else {
                    probe.node().filter(node -> cluster.node(node).isEmpty()).ifPresent(node ->
                            problems.add(path + ".node", "cluster " + clusterName + " has no node named \"" + node + "\""));
                }
            });
        }
        List<BackupSource> backups = config.backups();
        for (int i = 0; i < backups.size(); i++) {
            String component = backups.get(i).component();
            if (!component.isEmpty() && !components.contains(component)) {
                problems.add("backups[" + i + "].component", "no component named \"" + component + "\"" + known(components));
            }
        }
        restoreChecks(backups);
    }

    /** A restore must never land on a running server's port or share a scratch directory with another check. */
    private void restoreChecks(List<BackupSource> backups) {
        Map<Integer, String> nodePorts = new HashMap<>();
        config.clusters().forEach((name, cluster) -> cluster.nodes().forEach(node ->
                nodePorts.putIfAbsent(node.port(), "clusters." + name + " node " + node.name())));
        Map<Path, Integer> scratch = new HashMap<>();
        for (int i = 0; i < backups.size(); i++) {
            String path = "backups[" + i + "].restoreCheck";
            int index = i;
            backups.get(i).restoreCheck().ifPresent(check -> {
                String node = nodePorts.get(check.port());
                if (node != null) {
                    problems.add(path + ".port", check.port() + " is the port of " + node + ": a restore check never starts on a configured node's port");
                }
                Integer other = scratch.putIfAbsent(check.scratchDirectory(), index);
                if (other != null) {
                    problems.add(path + ".scratchDirectory", check.scratchDirectory() + " is also backups[" + other
                            + "].restoreCheck.scratchDirectory: each check needs its own");
                }
            });
        }
    }

    /**
     * Failsafe mode keeps a primary cut off from Kafka running only while the agent of every other node confirms it, over
     * HTTP on the port configured for that agent, with the token they share: each of those must be there to be asked.
     */
    private void failsafe(String path, ClusterConfig cluster) {
        if (cluster.nodes().size() < 2) {
            problems.add(path + ".failover.failsafe", "needs at least one replica: with none, nobody could confirm the primary, and"
                    + " \"every replica confirms\" would hold a primary cut off from Kafka forever");
        }
        Optional<Secret> firstToken = Optional.empty();
        for (int i = 0; i < cluster.nodes().size(); i++) {
            NodeConfig node = cluster.nodes().get(i);
            String nodePath = path + ".nodes[" + i + "].agent";
            if (node.agent().isEmpty()) {
                problems.add(nodePath, "is missing: failover.failsafe needs an agent beside every node (node " + node.name()
                        + "), since every replica's agent must confirm the primary");
                continue;
            }
            AgentSettings agent = node.agent().get();
            if (agent.listenPort() == 0) {
                problems.add(nodePath + ".listenPort", "0 (a free port) cannot be asked: in a failsafe cluster the primary's agent asks"
                        + " the others on " + node.host() + ":<listenPort>; set a fixed port");
            }
            if (agent.fenceAfter().compareTo(agent.renewInterval().multipliedBy(3)) < 0) {
                // Kafka falls silent right after an acknowledgement: the first question leaves within 1.5 renew intervals and
                // its answers take up to half of one; they must come before the fence.
                problems.add(nodePath + ".leaseTtl", "must be at least 3 × renewInterval + stopBudget (" + agent.renewInterval()
                        .multipliedBy(3).plus(agent.stopBudget()).toMillis() + " ms) in a failsafe cluster, so that the replicas'"
                        + " first confirmation arrives before the fence");
            }
            if (agent.failsafeToken().isEmpty()) {
                problems.add(nodePath + ".failsafeToken", "is missing: failover.failsafe needs a token all the cluster's agents share");
            } else if (firstToken.isEmpty()) {
                firstToken = agent.failsafeToken();
            } else if (!sameSecret(firstToken.get(), agent.failsafeToken().get())) {
                problems.add(nodePath + ".failsafeToken", "differs from the first agent's: every agent of the cluster must share one"
                        + " token, or no replica would confirm");
            }
        }
    }

    private static boolean sameSecret(Secret one, Secret other) {
        return MessageDigest.isEqual(one.reveal().getBytes(StandardCharsets.UTF_8), other.reveal().getBytes(StandardCharsets.UTF_8));
    }

    /** A future-stamped observation must not outlive the freshness window, or it could make honest evidence look stale. */
    private void clockSkew() {
        Duration evidenceMaxAge = config.thresholds().evidenceMaxAge();
        config.ingestApi().maxClockSkew().filter(skew -> skew.compareTo(evidenceMaxAge) > 0).ifPresent(skew ->
                problems.add("ingestApi.maxClockSkew", Durations.format(skew) + " must not be longer than thresholds.evidenceMaxAge ("
                        + Durations.format(evidenceMaxAge) + "): an observation stamped that far ahead would outlive the freshness window"));
    }

    private static boolean fences(Runbook runbook) {
        return runbook.steps().stream().anyMatch(step -> step.type() == Runbook.Type.FENCE);
    }

    private static String known(Set<String> names) {
        return names.isEmpty() ? " (none are configured)" : " (known: " + String.join(", ", names.stream().sorted().toList()) + ")";
    }
}

package dev.drpilot.config;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one runbook step does, as configured: one record per step type and method, each owning
 * the keys it takes, their defaults and their checks, and reading itself from the step's YAML
 * mapping. Only valid records leave the loader (every problem is reported and the load fails), so
 * the failover steps built from them read typed fields and check nothing again.
 *
 * <p>A record with options reads them in its {@code bind}, which reads every key it takes,
 * whatever the others say: the keys it reads are its schema ({@link StepRegistry} learns them that
 * way, and {@link Section#finish()} reports the rest as unknown). Which record a step's
 * {@code type} and {@code method} name is {@link StepRegistry}'s one line per record.
 */
public sealed interface StepSpec {

    /** The options this method takes as a runbook writes them, without type and method: what the printer shows. */
    default Map<String, String> options() {
        return Map.of();
    }

    /** Confirms the primary is down from drpilot's own vantage and chooses the candidate. */
    record Check() implements StepSpec {
    }

    /** Stops the old primary's PostgreSQL. */
    record FenceStop() implements StepSpec {
    }

    /** Runs an operator's command that fences the old primary. */
    record FenceCommand(String command) implements StepSpec {
        static FenceCommand bind(Section item) {
            Optional<String> command = item.optionalString("command");
            if (command.isEmpty()) {
                item.problems().add(item.child("command"), "fence method command needs the command to run");
            }
            return new FenceCommand(command.orElse(""));
        }

        @Override
        public Map<String, String> options() {
            return Map.of("command", command);
        }
    }

    /**
     * Asks the old primary's node agent to stop its PostgreSQL (a FENCE command) and waits for its confirmation.
     *
     * @param replyTimeout how long to wait for the agent's reply (within the step's timeout)
     */
    record FenceAgent(Duration replyTimeout) implements StepSpec {
        public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(5);

        static FenceAgent bind(Section item) {
            return new FenceAgent(item.duration("replyTimeout", DEFAULT_REPLY_TIMEOUT));
        }

        @Override
        public Map<String, String> options() {
            return Map.of("replyTimeout", Durations.format(replyTimeout));
        }
    }

    /**
     * Scales the old primary's StatefulSet or Deployment to 0.
     *
     * @param namespace empty: the Kubernetes client's own
     */
    record FenceKubernetes(Optional<String> namespace, Workload workload, String name) implements StepSpec {
        public enum Workload {
            STATEFUL_SET("statefulSet"), DEPLOYMENT("deployment");

            private final String key;

            Workload(String key) {
                this.key = key;
            }
        }

        static FenceKubernetes bind(Section item) {
            Optional<String> namespace = item.optionalString("namespace");
            Optional<String> statefulSet = item.optionalString("statefulSet");
            Optional<String> deployment = item.optionalString("deployment");
            if (statefulSet.isEmpty() && deployment.isEmpty()) {
                item.problems().add(item.child("statefulSet"), "fence via kubernetes scales a statefulSet or a deployment to 0: name one");
            }
            return statefulSet.map(name -> new FenceKubernetes(namespace, Workload.STATEFUL_SET, name))
                    .orElseGet(() -> new FenceKubernetes(namespace, Workload.DEPLOYMENT, deployment.orElse("")));
        }

        @Override
        public Map<String, String> options() {
            Map<String, String> options = new LinkedHashMap<>();
            namespace.ifPresent(value -> options.put("namespace", value));
            options.put(workload.key, name);
            return options;
        }
    }

    /** {@code pg_promote()} on the candidate. */
    record PromotePostgres() implements StepSpec {
    }

    /**
     * Promotes the candidate's RDS read replica.
     *
     * @param region   the AWS region of the instances
     * @param endpoint empty: AWS's own
     */
    record PromoteRds(String region, Optional<URI> endpoint) implements StepSpec {
        static PromoteRds bind(Section item) {
            Optional<String> region = item.optionalString("region");
            if (region.isEmpty()) {
                item.problems().add(item.child("region"), "missing: promote via rds needs the AWS region of the instances (e.g. eu-west-1)");
            }
            return new PromoteRds(region.orElse(""), bindEndpoint(item));
        }

        @Override
        public Map<String, String> options() {
            Map<String, String> options = new LinkedHashMap<>();
            options.put("region", region);
            endpoint.ifPresent(value -> options.put("endpoint", value.toString()));
            return options;
        }
    }

    /** The other replicas follow the new primary ({@code primary_conninfo} and a reload). */
    record RepointReplicas() implements StepSpec {
    }

    /**
     * Sets an env var of a Deployment, or a key of a ConfigMap, to the new primary's address.
     *
     * @param namespace empty: the Kubernetes client's own
     * @param name      the Deployment's or the ConfigMap's name
     * @param entry     the env var's name or the ConfigMap's key
     */
    record RepointKubernetes(Optional<String> namespace, Target target, String name, String entry) implements StepSpec {
        public enum Target {
            DEPLOYMENT_ENV("deployment", "env"), CONFIG_MAP_KEY("configMap", "key");

            private final String nameKey;
            private final String entryKey;

            Target(String nameKey, String entryKey) {
                this.nameKey = nameKey;
                this.entryKey = entryKey;
            }
        }

        static RepointKubernetes bind(Section item) {
            Optional<String> namespace = item.optionalString("namespace");
            Optional<String> deployment = item.optionalString("deployment");
            Optional<String> env = item.optionalString("env");
            Optional<String> configMap = item.optionalString("configMap");
            Optional<String> key = item.optionalString("key");
            if (deployment.isEmpty() && configMap.isEmpty()) {
                item.problems().add(item.child("deployment"), "repoint via kubernetes patches a deployment (env) or a configMap (key)");
            }
            if (deployment.isPresent() && env.isEmpty()) {
                item.problems().add(item.child("env"), "repoint via kubernetes of a deployment needs the env variable to set (e.g. DB_PRIMARY)");
            }
            if (configMap.isPresent() && key.isEmpty()) {
                item.problems().add(item.child("key"), "repoint via kubernetes of a configMap needs the key to set");
            }
            // With both named, the Deployment is the one patched.
            return deployment.map(name -> new RepointKubernetes(namespace, Target.DEPLOYMENT_ENV, name, env.orElse("")))
                    .orElseGet(() -> new RepointKubernetes(namespace, Target.CONFIG_MAP_KEY, configMap.orElse(""), key.orElse("")));
        }

        @Override
        public Map<String, String> options() {
            Map<String, String> options = new LinkedHashMap<>();
            namespace.ifPresent(value -> options.put("namespace", value));
            options.put(target.nameKey, name);
            options.put(target.entryKey, entry);
            return options;
        }
    }

    /**
     * Points a DNS record at the new primary.
     *
     * @param ttl      seconds, {@value #DEFAULT_TTL} unless written
     * @param endpoint empty: AWS's own
     */
    record RepointRoute53(String hostedZoneId, String recordName, long ttl, Optional<URI> endpoint) implements StepSpec {
        public static final long DEFAULT_TTL = 60;

        static RepointRoute53 bind(Section item) {
            Optional<String> hostedZoneId = item.optionalString("hostedZoneId");
            Optional<String> recordName = item.optionalString("recordName");
            if (hostedZoneId.isEmpty() || recordName.isEmpty()) {
                item.problems().add(item.path(), "repoint via route53 needs hostedZoneId and recordName");
            }
            long ttl = item.optionalString("ttl").map(text -> {
                try {
                    int seconds = Integer.parseInt(text);
                    if (seconds >= 0) {
                        return (long) seconds;
                    }
                } catch (NumberFormatException e) {
                    // reported below, as a negative number is
                }
                item.problems().add(item.child("ttl"), "\"" + text + "\" is not a number of seconds");
                return DEFAULT_TTL;
            }).orElse(DEFAULT_TTL);
            return new RepointRoute53(hostedZoneId.orElse(""), recordName.orElse(""), ttl, bindEndpoint(item));
        }

        @Override
        public Map<String, String> options() {
            Map<String, String> options = new LinkedHashMap<>();
            options.put("hostedZoneId", hostedZoneId);
            options.put("recordName", recordName);
            options.put("ttl", Long.toString(ttl));
            endpoint.ifPresent(value -> options.put("endpoint", value.toString()));
            return options;
        }
    }

    /** The new primary takes writes; the other replicas follow it. */
    record Verify() implements StepSpec {
    }

    /** An alert summarising the failover. */
    record Notify() implements StepSpec {
    }

    /** An AWS endpoint override (a local stand-in, a VPC endpoint). */
    private static Optional<URI> bindEndpoint(Section item) {
        Optional<String> endpoint = item.optionalString("endpoint");
        if (endpoint.isPresent() && !ProbeBinder.isHttpUrl(endpoint.get())) {
            item.problems().add(item.child("endpoint"), "\"" + endpoint.get() + "\" is not an http:// or https:// URL");
            return Optional.empty();
        }
        return endpoint.map(URI::create);
    }
}

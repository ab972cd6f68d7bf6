package dev.drpilot.failover.steps;

import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Points the application at the new primary through Kubernetes: sets env var {@code env} of
 * Deployment {@code deployment} (on every container of the pod template that has it, else on the
 * first container), which rolls the Deployment's pods like {@code kubectl set env}/{@code kubectl patch}
 * would, or sets key {@code key} of ConfigMap {@code configMap}.
 *
 * <p>The change is one JSON Patch that first tests each value still is what was read, so an edit
 * made between the read and the write fails the step instead of being overwritten.
 */
public final class KubernetesRepointStep implements FailoverStep {
    private static final Logger log = LoggerFactory.getLogger(KubernetesRepointStep.class);

    private final KubernetesClient kubernetes;
    private final String namespace;
    private final Target target;

    private KubernetesRepointStep(KubernetesClient kubernetes, String namespace, Target target) {
        this.kubernetes = kubernetes;
        this.namespace = namespace;
        this.target = target;
    }

    /** Sets env var {@code env} of Deployment {@code namespace/deployment}. */
    public static KubernetesRepointStep deploymentEnv(KubernetesClient kubernetes, String namespace, String deployment, String env) {
        return new KubernetesRepointStep(kubernetes, namespace, new DeploymentEnv(deployment, env));
    }

    /** Sets key {@code key} of ConfigMap {@code namespace/configMap}. */
    public static KubernetesRepointStep configMapKey(KubernetesClient kubernetes, String namespace, String configMap, String key) {
        return new KubernetesRepointStep(kubernetes, namespace, new ConfigMapKey(configMap, key));
    }

    @Override
    public String describe() {
        return "repoint kubernetes";
    }

    @Override
    public String plan(FailoverContext context) {
        String where = target.what() + " of " + target.kind() + " " + namespace + "/" + target.name();
        Optional<String> from;
        try {
            from = read().values().values().stream().filter(Objects::nonNull).findFirst();
        } catch (StepFailedException | KubernetesClientException e) {
            // A dry run reports what it cannot see rather than failing: the run itself will fail on it.
            return "would set " + where + " (unreadable: " + e.getMessage() + ")";
        }
        String to = context.chosenCandidate().map(candidate -> DbAddress.replacing(from, candidate).orElse(candidate.host()))
                .orElse("the chosen candidate's address");
        return "would set " + where + " from " + from.orElse("(unset)") + " to " + to;
    }

    @Override
    public boolean alreadyDone(FailoverContext context) throws StepFailedException {
        Current current = read();
        if (current.values().isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> entry : current.values().entrySet()) {
            Optional<String> wanted = DbAddress.replacing(Optional.ofNullable(entry.getValue()), context.candidate());
            if (wanted.isEmpty() || !wanted.get().equals(entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws StepFailedException {
        String prefix = LogPrefix.of(context, "repoint", "kubernetes");
        Current current = read();
        List<Map<String, Object>> patch = new ArrayList<>();
        String previous = null;
        String next = null;
        for (Map.Entry<String, String> entry : current.values().entrySet()) {
            String old = entry.getValue();
            String value = DbAddress.replacing(Optional.ofNullable(old), context.candidate()).orElseThrow(() -> new StepFailedException(
                    target.what() + " of " + target.kind() + " " + namespace + "/" + target.name() + " is \"" + old
                            + "\", neither a host nor host:port: drpilot does not rewrite other formats"));
            if (old != null) {
                patch.add(op("test", entry.getKey(), old));
            }
            patch.add(op(old == null ? "add" : "replace", entry.getKey(), value));
            previous = previous == null ? old : previous;
            next = value;
        }
        if (current.values().isEmpty()) {
            next = DbAddress.replacing(Optional.empty(), context.candidate()).orElseThrow();
            patch.add(op("add", current.addPath(), current.addValue().apply(next)));
        }
        log.info("{} setting {} of {} {}/{} from {} to {}", prefix, target.what(), target.kind(), namespace, target.name(), previous, next);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("previousValue", previous == null ? "" : previous);
        attributes.put("newValue", next);
        try {
            attributes.putAll(target.patch(kubernetes, namespace, Serialization.asJson(patch)));
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.failed("patch of " + target.kind() + " " + namespace + "/" + target.name(), e);
        }
        return new StepOutcome("set " + target.what() + " of " + target.kind() + " " + namespace + "/" + target.name()
                + " from " + (previous == null ? "(unset)" : previous) + " to " + next, attributes);
    }

    private Current read() throws StepFailedException {
        try {
            return target.read(kubernetes, namespace).orElseThrow(() -> new StepFailedException(
                    target.kind() + " " + namespace + "/" + target.name() + " not found"));
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.failed("read of " + target.kind() + " " + namespace + "/" + target.name(), e);
        }
    }

    private static Map<String, Object> op(String op, String path, Object value) {
        Map<String, Object> operation = new LinkedHashMap<>();
        operation.put("op", op);
        operation.put("path", path);
        operation.put("value", value);
        return operation;
    }

    /** JSON Pointer escaping (RFC 6901) of one path segment. */
    private static String segment(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /**
     * What is there now: each place holding the value (a JSON Pointer) with the value it holds
     * (null when the env var has no value); when none holds it yet, where to add it and the
     * JSON the "add" carries for a value (the whole env list or data map when there is none yet).
     */
    private record Current(Map<String, String> values, String addPath, Function<String, Object> addValue) {
        static Current holding(Map<String, String> values) {
            return new Current(values, null, null);
        }

        static Current lacking(String addPath, Function<String, Object> addValue) {
            return new Current(Map.of(), addPath, addValue);
        }
    }

    private interface Target {
        String kind();

        String name();

        /** The env var or key. */
        String what();

        Optional<Current> read(KubernetesClient kubernetes, String namespace) throws StepFailedException;

        /** Applies the JSON Patch and returns the outcome's attributes. */
        Map<String, String> patch(KubernetesClient kubernetes, String namespace, String jsonPatch);
    }

    private record DeploymentEnv(String name, String what) implements Target {
        @Override
        public String kind() {
            return "deployment";
        }

        @Override
        public Optional<Current> read(KubernetesClient kubernetes, String namespace) throws StepFailedException {
            Deployment deployment = kubernetes.apps().deployments().inNamespace(namespace).withName(name).get();
            if (deployment == null) {
                return Optional.empty();
            }
            List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
            Map<String, String> values = new LinkedHashMap<>();
            for (int c = 0; c < containers.size(); c++) {
                List<EnvVar> env = containers.get(c).getEnv() == null ? List.of() : containers.get(c).getEnv();
                for (int e = 0; e < env.size(); e++) {
                    if (env.get(e).getName().equals(what)) {
                        if (env.get(e).getValueFrom() != null) {
                            // Overwriting a reference to a Secret or ConfigMap with a literal would hide
                            // where the value really comes from: repoint that ConfigMap instead.
                            throw new StepFailedException("env " + what + " of container " + containers.get(c).getName() + " in deployment "
                                    + namespace + "/" + name + " is set with valueFrom: repoint its ConfigMap (configMap + key) instead");
                        }
                        values.put("/spec/template/spec/containers/" + c + "/env/" + e + "/value", env.get(e).getValue());
                    }
                }
            }
            if (!values.isEmpty()) {
                return Optional.of(Current.holding(values));
            }
            // None of the containers has it: the first (by convention the application's) gets it.
            if (containers.get(0).getEnv() == null || containers.get(0).getEnv().isEmpty()) {
                return Optional.of(Current.lacking("/spec/template/spec/containers/0/env", value -> List.of(envVar(value))));
            }
            return Optional.of(Current.lacking("/spec/template/spec/containers/0/env/-", this::envVar));
        }

        @Override
        public Map<String, String> patch(KubernetesClient kubernetes, String namespace, String jsonPatch) {
            Deployment patched = kubernetes.apps().deployments().inNamespace(namespace).withName(name)
                    .patch(PatchContext.of(PatchType.JSON), jsonPatch);
            Long generation = patched.getMetadata().getGeneration();
            return Map.of("generation", generation == null ? "" : generation.toString());
        }

        private Map<String, Object> envVar(String value) {
            Map<String, Object> envVar = new LinkedHashMap<>();
            envVar.put("name", what);
            envVar.put("value", value);
            return envVar;
        }
    }

    private record ConfigMapKey(String name, String what) implements Target {
        @Override
        public String kind() {
            return "configMap";
        }

        @Override
        public Optional<Current> read(KubernetesClient kubernetes, String namespace) {
            ConfigMap configMap = kubernetes.configMaps().inNamespace(namespace).withName(name).get();
            if (configMap == null) {
                return Optional.empty();
            }
            Map<String, String> data = configMap.getData();
            if (data == null) {
                return Optional.of(Current.lacking("/data", value -> Map.of(what, value)));
            }
            if (!data.containsKey(what)) {
                return Optional.of(Current.lacking("/data/" + segment(what), value -> value));
            }
            Map<String, String> values = new LinkedHashMap<>();
            values.put("/data/" + segment(what), data.get(what));
            return Optional.of(Current.holding(values));
        }

        @Override
        public Map<String, String> patch(KubernetesClient kubernetes, String namespace, String jsonPatch) {
            ConfigMap patched = kubernetes.configMaps().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON), jsonPatch);
            return Map.of("resourceVersion", String.valueOf(patched.getMetadata().getResourceVersion()));
        }
    }
}

package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The drpilot.yaml embedded in the ConfigMap, and the secret references it makes. */
final class EmbeddedConfig {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private EmbeddedConfig() {
    }

    static String text() {
        String text = Manifests.one(ConfigMap.class, Layout.CONFIG_MAP).getData().get(Layout.CONFIG_KEY);
        if (text == null) {
            throw new AssertionError("ConfigMap " + Layout.CONFIG_MAP + " has no key " + Layout.CONFIG_KEY);
        }
        return text;
    }

    static JsonNode tree() {
        return Manifests.readYaml(text());
    }

    /** Names of the environment variables the file refers to ({@code ${PG_PASSWORD}}). */
    static Set<String> envReferences() {
        Set<String> names = new TreeSet<>();
        Matcher matcher = ENV.matcher(text());
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** Paths of the {@code file:} secret references ({@code file:/var/run/secrets/drpilot/x}). */
    static Set<String> fileReferences() {
        Set<String> paths = new TreeSet<>();
        collectFiles(tree(), paths);
        return paths;
    }

    private static void collectFiles(JsonNode node, Set<String> paths) {
        if (node.isTextual() && node.asText().startsWith("file:")) {
            paths.add(node.asText().substring("file:".length()));
        }
        node.forEach(child -> collectFiles(child, paths));
    }
}

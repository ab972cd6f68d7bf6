package dev.drpilot.agent.failsafe;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A primary's agent asking a replica's agent "do you still stream from me?": the cluster, the asking node, the asking
 * agent's id (for the logs). Sent form-encoded in the body of {@code POST /failsafe}.
 */
public record Question(String cluster, String node, String agentId) {
    public String encode() {
        return "cluster=" + encoded(cluster) + "&node=" + encoded(node) + "&agentId=" + encoded(agentId);
    }

    /** The question in {@code body}; empty when a field is missing. */
    public static Optional<Question> decode(String body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : body.strip().split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        String cluster = fields.get("cluster");
        String node = fields.get("node");
        if (cluster == null || cluster.isEmpty() || node == null || node.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Question(cluster, node, fields.getOrDefault("agentId", "")));
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

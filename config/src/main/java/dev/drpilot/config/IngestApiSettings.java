package dev.drpilot.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HTTP ingest API of the collectors' process ({@code POST /v1/observations/...}).
 *
 * @param bind                 the address to listen on
 * @param port                 0 picks a free port
 * @param maxBodyBytes         larger requests are refused with 413
 * @param sources              the callers, by token; when any is configured, every request needs one of their tokens
 * @param allowUnauthenticated a non-loopback {@code bind} without tokens is an error unless this is set
 * @param maxClockSkew         observations stamped further in the future than this are rejected; never more than the
 *                             component's {@code thresholds.evidenceMaxAge}, which is the bound when this is unset
 */
public record IngestApiSettings(boolean enabled, String bind, int port, long maxBodyBytes, List<ApiSource> sources,
                                boolean allowUnauthenticated, Optional<Duration> maxClockSkew) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    public IngestApiSettings {
        sources = List.copyOf(sources);
    }

    /** The configured source that sent an observation stamped with this collector id, if it came through the API from one. */
    public Optional<ApiSource> source(String collectorId) {
        return sources.stream().filter(source -> source.collectorId().equals(collectorId)).findFirst();
    }

    /**
     * Whether an observation's verdict on a database node may count as a vantage's: a collector's
     * always; an API source's only when it is configured with {@code vantage: true} (an unknown or
     * anonymous API source never); a node agent's never here (see DrpilotConfig.countsAsAgentEvidence).
     */
    public boolean countsAsVantage(String collectorId) {
        if (AgentSettings.isAgent(collectorId)) {
            // A node agent's evidence counts only for the node whose agent is configured, which this section does
            // not know: the detector asks DrpilotConfig.countsAsAgentEvidence for it.
            return false;
        }
        return !ApiSource.isApi(collectorId) || source(collectorId).map(ApiSource::vantage).orElse(false);
    }

    /** How far in the future an observation of a component with this freshness window may be stamped. */
    public Duration futureSkew(Duration evidenceMaxAge) {
        return maxClockSkew.filter(skew -> skew.compareTo(evidenceMaxAge) < 0).orElse(evidenceMaxAge);
    }

    static IngestApiSettings bind(Section api) {
        boolean enabled = api.bool("enabled", true);
        String bind = api.string("bind", "127.0.0.1");
        int port = api.integer("port", 8081, 0, 65535);
        long maxBodyBytes = api.byteSize("maxBodyBytes", 1L << 20);
        List<ApiSource> sources = new ArrayList<>();
        Set<String> names = new HashSet<>();
        // The single token of older configurations: one caller, never a vantage.
        api.secret("token").ifPresent(token -> {
            sources.add(new ApiSource("default", token, Optional.empty(), false));
            names.add("default");
        });
        List<Section> tokens = api.list("tokens");
        for (Section item : tokens) {
            String name = item.required("name");
            if (!name.isEmpty() && !NAME.matcher(name).matches()) {
                item.problems().add(item.child("name"), "\"" + name + "\" is not a name of lower-case letters, digits and dashes");
            } else if (ApiSource.ANONYMOUS.equals(name)) {
                item.problems().add(item.child("name"), "\"" + name + "\" is reserved for callers of an API without tokens");
            } else {
                item.requireUniqueName(names, name, "token (or is the name of ingestApi.token: default)");
            }
            boolean present = item.has("token");
            Optional<Secret> token = item.secret("token");
            if (!present) {
                item.problems().add(item.child("token"), "missing (required): " + Secret.HOW);
            }
            Optional<Secret> previousToken = item.secret("previousToken");
            boolean vantage = item.bool("vantage", false);
            item.finish();
            token.ifPresent(secret -> sources.add(new ApiSource(name, secret, previousToken, vantage)));
        }
        boolean allowUnauthenticated = api.bool("allowUnauthenticated", false);
        Optional<Duration> maxClockSkew = api.optionalDuration("maxClockSkew");
        IngestApiSettings settings = new IngestApiSettings(enabled, bind, port, maxBodyBytes, sources, allowUnauthenticated, maxClockSkew);
        if (maxBodyBytes < 1024) {
            api.problems().add(api.child("maxBodyBytes"), "must be at least 1KiB");
        }
        maxClockSkew.filter(skew -> skew.isZero() || skew.isNegative())
                .ifPresent(skew -> api.problems().add(api.child("maxClockSkew"), "must be longer than 0s"));
        if (enabled && tokens.isEmpty() && !api.has("token") && !allowUnauthenticated && !isLoopback(bind)) {
            api.problems().add(api.child("bind"), bind + " is not a loopback address and no ingestApi.tokens are configured: "
                    + "anyone who reaches it could report observations. Configure ingestApi.tokens, bind 127.0.0.1, "
                    + "or set ingestApi.allowUnauthenticated: true");
        }
        api.finish();
        return settings;
    }

    /** Only literal loopback addresses and {@code localhost}: a host name is not resolved here, so it counts as reachable. */
    static boolean isLoopback(String bind) {
        if ("localhost".equalsIgnoreCase(bind)) {
            return true;
        }
        if (!IP_LITERAL.matcher(bind).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

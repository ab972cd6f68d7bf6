package dev.drpilot.config;

import java.util.List;
import java.util.Optional;

/**
 * A named caller of the ingest API, known by its bearer token. What it reports is stamped with
 * this identity ({@link #collectorId()}), whatever the request says, so the detector can tell who
 * said it and whether it may count as a vantage on a primary.
 *
 * @param previousToken also accepted while callers move to a new {@code token}: the same source
 *                      (one identity, one vantage) during a rotation
 * @param vantage       whether its observations of database nodes count toward the primary-down quorum
 *                      (and may confirm or deny that a node is a writable primary)
 */
public record ApiSource(String name, Secret token, Optional<Secret> previousToken, boolean vantage) {
    /** Collector ids of API sources start with this; a collector's own id never does (the configuration refuses it). */
    public static final String PREFIX = "api:";
    /** The source stamped on what an API without tokens accepts: never a vantage. */
    public static final String ANONYMOUS = "anonymous";

    /** The tokens a request may carry for this source: the current one, and the previous one during a rotation. */
    public List<Secret> tokens() {
        return previousToken.map(previous -> List.of(token, previous)).orElse(List.of(token));
    }

    /** The collector id and vantage stamped on every observation this source sends. */
    public String collectorId() {
        return PREFIX + name;
    }

    public static boolean isApi(String collectorId) {
        return collectorId != null && collectorId.startsWith(PREFIX);
    }
}

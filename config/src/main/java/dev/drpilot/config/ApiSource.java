package dev.drpilot.config;

/**
 * A named caller of the ingest API, known by its bearer token. What it reports is stamped with
 * this identity ({@link #collectorId()}), whatever the request says, so the detector can tell who
 * said it and whether it may count as a vantage on a primary.
 *
 * @param vantage whether its observations of database nodes count toward the primary-down quorum
 *                (and may confirm or deny that a node is a writable primary)
 */
public record ApiSource(String name, Secret token, boolean vantage) {
    /** Collector ids of API sources start with this; a collector's own id never does (the configuration refuses it). */
    public static final String PREFIX = "api:";
    /** The source stamped on what an API without tokens accepts: never a vantage. */
    public static final String ANONYMOUS = "anonymous";

    /** The collector id and vantage stamped on every observation this source sends. */
    public String collectorId() {
        return PREFIX + name;
    }

    public static boolean isApi(String collectorId) {
        return collectorId != null && collectorId.startsWith(PREFIX);
    }
}

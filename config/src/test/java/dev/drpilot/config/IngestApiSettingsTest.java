package dev.drpilot.config;

import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Who may call the ingest API, and which of its callers count as vantages on a primary. */
class IngestApiSettingsTest {
    private static final Map<String, String> ENV = Map.of("CRON_TOKEN", "cron-secret", "PROBER_TOKEN", "prober-secret");

    private static IngestApiSettings valid(String ingestApi) {
        return ConfigLoader.parse("ingestApi: " + ingestApi, "test.yaml", ENV::get).ingestApi();
    }

    private static List<String> problemsOf(String yaml) {
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml", ENV::get));
        assertThat(error).as("expected the configuration to be rejected").isNotNull();
        return error.problems();
    }

    @Test
    void byDefaultTheApiListensOnLoopbackWithoutTokens() {
        IngestApiSettings defaults = DrpilotConfig.defaults().ingestApi();
        assertThat(defaults.bind()).isEqualTo("127.0.0.1");
        assertThat(defaults.sources()).isEmpty();
        assertThat(defaults.maxClockSkew()).isEmpty();
    }

    @Test
    void tokensMapToNamedSourcesWhoseSecretsAreMasked() {
        IngestApiSettings settings = valid("""
                {bind: 0.0.0.0, tokens: [{name: backup-cron, token: "${CRON_TOKEN}"},
                                         {name: eu-prober, token: "${PROBER_TOKEN}", vantage: true}]}""");
        assertThat(settings.sources()).extracting(ApiSource::name, ApiSource::vantage, ApiSource::collectorId)
                .containsExactly(Tuple.tuple("backup-cron", false, "api:backup-cron"),
                        Tuple.tuple("eu-prober", true, "api:eu-prober"));
        assertThat(settings.sources().get(0).token().reveal()).isEqualTo("cron-secret");
        assertThat(settings.toString()).doesNotContain("cron-secret").doesNotContain("prober-secret");
    }

    @ParameterizedTest(name = "{0} counts as a vantage: {1}")
    @CsvSource({
            "eu-1,             true",    // a collector's own id
            "api:eu-prober,    true",    // configured with vantage: true
            "api:backup-cron,  false",   // configured, not a vantage
            "api:default,      false",   // the single ingestApi.token
            "api:anonymous,    false",   // an API without tokens
            "api:someone-else, false",   // not configured (any more)
    })
    void onlyCollectorsAndApiSourcesConfiguredAsVantagesCount(String collectorId, boolean counts) {
        IngestApiSettings settings = valid("""
                {token: "${CRON_TOKEN}", tokens: [{name: backup-cron, token: "${CRON_TOKEN}"},
                                                  {name: eu-prober, token: "${PROBER_TOKEN}", vantage: true}]}""");
        assertThat(settings.countsAsVantage(collectorId)).isEqualTo(counts);
    }

    @ParameterizedTest(name = "maxClockSkew {0}, evidenceMaxAge {1}: {2}")
    @CsvSource({
            "'',  30s, 30s",
            "10s, 30s, 10s",
            "10s, 5s,  5s",
    })
    void theFutureSkewNeverExceedsTheFreshnessWindow(String maxClockSkew, String evidenceMaxAge, String expected) {
        IngestApiSettings settings = valid(maxClockSkew.isEmpty() ? "{}" : "{maxClockSkew: " + maxClockSkew + "}");
        assertThat(settings.futureSkew(Durations.parse(evidenceMaxAge))).isEqualTo(Durations.parse(expected));
    }

    @ParameterizedTest(name = "{0}: loopback {1}")
    @CsvSource({"127.0.0.1, true", "localhost, true", "::1, true", "0.0.0.0, false", "10.1.2.3, false", "drpilot-ingest, false", ":: , false"})
    void onlyLiteralLoopbackAddressesAreLoopback(String bind, boolean loopback) {
        assertThat(IngestApiSettings.isLoopback(bind)).isEqualTo(loopback);
    }

    @Test
    void aNonLoopbackBindWithoutATokenIsAnErrorNamingTheKey() {
        assertThat(problemsOf("ingestApi: {bind: 0.0.0.0}")).containsExactly("ingestApi.bind: 0.0.0.0 is not a loopback address and no "
                + "ingestApi.tokens are configured: anyone who reaches it could report observations. Configure ingestApi.tokens, "
                + "bind 127.0.0.1, or set ingestApi.allowUnauthenticated: true");
        assertThat(valid("{bind: 0.0.0.0, allowUnauthenticated: true}").sources()).isEmpty();
        assertThat(valid("{bind: 0.0.0.0, enabled: false}").enabled()).isFalse();
        assertThat(valid("{bind: 0.0.0.0, token: \"${CRON_TOKEN}\"}").sources()).extracting(ApiSource::name).containsExactly("default");
    }

    @Test
    void tokenEntriesAreCheckedEachWithItsKey() {
        assertThat(problemsOf("""
                ingestApi:
                  tokens:
                    - {name: backup-cron, token: plain-text}
                    - {name: backup-cron, token: "${CRON_TOKEN}"}
                    - {name: Bad_Name, token: "${CRON_TOKEN}"}
                    - {name: anonymous, token: "${CRON_TOKEN}"}
                    - {name: prober, vantage: maybe, tokn: x}
                  maxClockSkew: 5m
                collector: {id: "api:sneaky"}
                """)).containsExactlyInAnyOrder(
                "ingestApi.tokens[0].token: " + Secret.HOW,
                "ingestApi.tokens[1].name: \"backup-cron\" is used by another token (or is the name of ingestApi.token: default)",
                "ingestApi.tokens[2].name: \"Bad_Name\" is not a name of lower-case letters, digits and dashes",
                "ingestApi.tokens[3].name: \"anonymous\" is reserved for callers of an API without tokens",
                "ingestApi.tokens[4].token: missing (required): " + Secret.HOW,
                "ingestApi.tokens[4].vantage: \"maybe\" is not true or false",
                "ingestApi.tokens[4].tokn: unknown key (did you mean \"token\"?)",
                "ingestApi.maxClockSkew: 5m must not be longer than thresholds.evidenceMaxAge (30s): an observation stamped that far "
                        + "ahead would outlive the freshness window",
                "collector.id: \"api:sneaky\" starts with api:, which marks observations that came through the ingest API");
    }

    @Test
    void duringARotationAPreviousTokenIsTheSameSource() {
        IngestApiSettings settings = valid("""
                {tokens: [{name: eu-prober, token: "${PROBER_TOKEN}", previousToken: "${CRON_TOKEN}", vantage: true}]}""");
        assertThat(settings.sources()).singleElement().satisfies(source -> {
            assertThat(source.tokens()).extracting(Secret::reveal).containsExactly("prober-secret", "cron-secret");
            assertThat(source.collectorId()).isEqualTo("api:eu-prober");
        });
    }

    @Test
    void aClockSkewWithinTheWindowIsKept() {
        assertThat(valid("{maxClockSkew: 10s}").maxClockSkew()).contains(Duration.ofSeconds(10));
    }
}

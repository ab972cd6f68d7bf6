package dev.drpilot.detector.rules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quorum decision as a table. Vantages are written {@code <kind><failures>@<second>}: {@code p}
 * a probe vantage, {@code r} a replica, e.g. {@code p3@40} a probe vantage whose newest report, at
 * 40 s, is its third failure in a row. Hold 3 probes, freshness 30 s.
 */
class PrimaryWatchTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");
    private static final Duration MAX_AGE = Duration.ofSeconds(30);

    @ParameterizedTest(name = "quorum {0}, {1}, stream time {2}s: confirmed {3}, unconfirmed {4}")
    @CsvSource(delimiter = '|', value = {
            // quorum | vantages          | stream | confirmed | unconfirmed
            "2 | p3@40 p3@40             | 40 | true  | false",
            "2 | p3@40 r1@40             | 40 | true  | false",   // a replica corroborates
            "2 | r1@40 r1@40             | 40 | false | false",   // replicas never decide alone
            "2 | p3@40                   | 40 | false | true",    // one vantage: the bar is not lowered
            "2 | p3@40 p0@5              | 40 | false | true",    // the other vantage fell silent (stale)
            "2 | p3@40 p0@40             | 40 | false | false",   // the other vantage sees it answer
            "2 | p2@40                   | 40 | false | false",   // not held yet
            "3 | p3@40 p3@40             | 40 | false | true",
            "3 | p3@40 p3@40 p3@40       | 40 | true  | false",
            "1 | p3@40                   | 40 | true  | false",
            "2 | p3@40 p3@40 p0@71       | 41 | true  | false",   // a report stamped 30 s ahead of the stream time stales nobody
            "2 | p3@40 p3@40 p0@71       | 71 | false | false",   // ... but once the stream time is there, the failures are stale
    })
    void aQuorumOfDistinctFreshVantagesIsNeededAndFewerPage(int quorum, String vantages, int stream, boolean confirmed, boolean unconfirmed) {
        PrimaryWatch watch = new PrimaryWatch();
        watch.primary = "pg-1";
        int i = 0;
        for (String vantage : vantages.trim().split("\\s+")) {
            boolean replica = vantage.charAt(0) == 'r';
            int failures = Integer.parseInt(vantage.substring(1, vantage.indexOf('@')));
            Instant at = T0.plusSeconds(Long.parseLong(vantage.substring(vantage.indexOf('@') + 1)));
            String key = (replica ? "replica:" : "probe:") + i++;
            if (failures == 0) {
                watch.see(key, key, key, replica, false, at, "answers");
            }
            for (int f = 0; f < failures; f++) {
                watch.see(key, key, key, replica, true, at, "failed");
            }
        }
        Instant now = watch.now(T0.plusSeconds(stream));

        assertThat(watch.confirming(quorum, 3, now, MAX_AGE).isEmpty()).as("confirmed").isEqualTo(!confirmed);
        assertThat(watch.unconfirmed(quorum, 3, now, MAX_AGE).isEmpty()).as("unconfirmed").isEqualTo(!unconfirmed);
    }
}

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
 *
 * <p>The node's own agent is written {@code a<verdict>@<second>}: {@code U} up, {@code E} answered with an error,
 * {@code N} not answering, {@code D} down (no postmaster), said at that second and not changed since; its "alive"
 * holds a quorum back for 6 s (a 5 s publishing interval plus slack).
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

    @ParameterizedTest(name = "quorum 2, {0}, stream time {1}s: confirmed {2}, unconfirmed {3}, held back {4}")
    @CsvSource(delimiter = '|', value = {
            // vantages                | stream | confirmed | unconfirmed | held back
            "aD@40 p1@40               | 40 | true  | false | false",   // no postmaster + one failed remote probe: at once
            "aD@40 r1@40               | 40 | true  | false | false",   // ... or one replica that lost it
            "aD@40 p1@40 r0@39         | 40 | true  | false | false",   // a replica streaming before the agent said down
            "aD@40 p1@41 r0@41         | 41 | false | false | false",   // a replica streams after it: the agent is wrong
            "aD@40 p0@41               | 41 | false | false | false",   // a probe sees it answer after it: the agent is wrong
            "aD@40                     | 40 | false | true  | false",   // the agent alone is no remote view: a page
            "aD@5 p1@40                | 40 | false | false | false",   // stale agent evidence counts for nothing
            "aD@5 p3@40 p3@40          | 40 | true  | false | false",   // ... and the quorum still decides
            "aN@37 p3@40               | 40 | false | false | false",   // not answering for 3 s: a blip, not a vantage yet
            "aN@37 p3@40 r1@40         | 40 | true  | false | false",   // ... the remote quorum decides as before
            "aN@36 p3@40               | 40 | true  | false | false",   // not answering for 4 s: one failed vantage
            "aN@36 p1@40               | 40 | false | false | false",   // ... which needs the quorum's other vantage held too
            "aU@40 p3@40 p3@40         | 40 | false | false | true",    // the host's agent sees it answer: a partition
            "aE@40 p3@40 p3@40         | 40 | false | false | true",    // an error is an answer too
            "aU@34 p3@40 p3@40         | 40 | false | false | true",    // its word holds for 6 s ...
            "aU@33 p3@40 p3@40         | 40 | true  | false | false",   // ... then a silent agent (cut off, gone) is no word
            "aU@40 p3@40               | 40 | false | false | false",   // one remote vantage against the agent: nothing
    })
    void theNodesOwnAgentWeighsByItsVerdict(String vantages, int stream, boolean confirmed, boolean unconfirmed, boolean heldBack) {
        PrimaryWatch watch = new PrimaryWatch();
        watch.primary = "pg-1";
        int i = 0;
        for (String vantage : vantages.trim().split("\\s+")) {
            Instant at = T0.plusSeconds(Long.parseLong(vantage.substring(vantage.indexOf('@') + 1)));
            if (vantage.charAt(0) == 'a') {
                AgentVerdict verdict = switch (vantage.charAt(1)) {
                    case 'U' -> AgentVerdict.UP;
                    case 'E' -> AgentVerdict.ANSWERED_WITH_ERROR;
                    case 'N' -> AgentVerdict.NOT_ANSWERING;
                    default -> AgentVerdict.DOWN;
                };
                watch.seeAgent("agent:pg-1", "agent:orders/pg-1", "agent:pg-1", verdict, Duration.ofSeconds(6), at, verdict.label());
                continue;
            }
            boolean replica = vantage.charAt(0) == 'r';
            int failures = Integer.parseInt(vantage.substring(1, vantage.indexOf('@')));
            String key = (replica ? "replica:" : "probe:") + i++;
            if (failures == 0) {
                watch.see(key, key, key, replica, false, at, "answers");
            }
            for (int f = 0; f < failures; f++) {
                watch.see(key, key, key, replica, true, at, "failed");
            }
        }
        Instant now = watch.now(T0.plusSeconds(stream));

        assertThat(watch.confirming(2, 3, now, MAX_AGE).isEmpty()).as("confirmed").isEqualTo(!confirmed);
        assertThat(watch.unconfirmed(2, 3, now, MAX_AGE).isEmpty()).as("unconfirmed").isEqualTo(!unconfirmed);
        assertThat(watch.heldBack(2, 3, now, MAX_AGE).isEmpty()).as("held back").isEqualTo(!heldBack);
    }

    @ParameterizedTest(name = "{0} twice: down since the first")
    @CsvSource({"DOWN, 10, 10", "NOT_ANSWERING, 10, ", "UP, 10, "})
    void anAgentsDownIsCertainSinceItFirstSaidSo(AgentVerdict verdict, long firstSecond, Long certainSinceSecond) {
        PrimaryWatch watch = new PrimaryWatch();
        watch.primary = "pg-1";
        watch.seeAgent("agent:pg-1", "agent:orders/pg-1", "agent:pg-1", verdict, Duration.ofSeconds(6), T0.plusSeconds(firstSecond), "");
        watch.seeAgent("agent:pg-1", "agent:orders/pg-1", "agent:pg-1", verdict, Duration.ofSeconds(6), T0.plusSeconds(firstSecond + 5), "");
        assertThat(watch.vantages.get("agent:pg-1").certainSince)
                .isEqualTo(certainSinceSecond == null ? null : T0.plusSeconds(certainSinceSecond));
    }
}

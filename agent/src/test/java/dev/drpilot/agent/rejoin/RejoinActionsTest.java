package dev.drpilot.agent.rejoin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpilot.agent.rejoin.DiscardedWrites.RelationWrites;
import dev.drpilot.agent.rejoin.RejoinReport.Divergence;
import dev.drpilot.agent.rejoin.RejoinReport.KeptAside;
import dev.drpilot.agent.rejoin.RejoinReport.Method;
import dev.drpilot.agent.rejoin.RejoinReport.Outcome;
import dev.drpilot.agent.rejoin.RejoinReport.PhaseTiming;
import dev.drpilot.agent.rejoin.RejoinReport.RejoinError;
import dev.drpilot.agent.rejoin.RejoinReport.Streaming;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RejoinActionsTest {
    private static final Instant STARTED = Instant.parse("2026-12-01T03:22:06Z");
    private static final DiscardedWrites DISCARDED = new DiscardedWrites(Lsn.parse("0/3029740"), Lsn.parse("0/3029AE8"), 1,
            List.of(new RelationWrites("public.accounts", Optional.of(new RelFileNode(1663, 5, 16384)), 7, 2, 1, 0)), 3, Optional.empty());

    @Test
    void aRewindBecomesARejoinRecordWithTheDiscardedRangeAndWritesAsAttributes() {
        RejoinReport report = report(Outcome.SUCCEEDED, Method.REWIND, List.of(), Optional.empty());

        ActionRecord record = RejoinActions.record(report, "rejoin/orders-1/1", "orders", Optional.of("incident-7"));

        assertThat(record.getKind()).isEqualTo(ActionKind.REJOIN);
        assertThat(record.getName()).isEqualTo("rejoin");
        assertThat(record.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(record.getCluster()).isEqualTo("orders");
        assertThat(record.getIncidentId()).isEqualTo("incident-7");
        assertThat(record.getStartedAt()).isEqualTo(STARTED);
        assertThat(record.getDetail()).contains("discarded WAL 0/3029740 .. 0/3029AE8 (936 bytes)").contains("public.accounts 7 inserted, 2 updated, 1 deleted");
        assertThat(record.getAttributes())
                .containsEntry("node", "orders-1")
                .containsEntry("method", "REWIND")
                .containsEntry("divergence.lsn", "0/3029740")
                .containsEntry("divergence.timeline", "1")
                .containsEntry("source.timeline", "2")
                .containsEntry("discarded.from", "0/3029740")
                .containsEntry("discarded.to", "0/3029AE8")
                .containsEntry("discarded.bytes", "936")
                .containsEntry("discarded.transactions", "1")
                .containsEntry("discarded.uncommittedChanges", "3")
                .containsEntry("discarded.rel.public.accounts", "7 inserted, 2 updated, 1 deleted")
                .containsEntry("keptAside.path", "/var/lib/postgresql/15/main.before-rejoin-20261201T032206Z")
                .containsEntry("phase.rewind.ms", "3086")
                .containsEntry("streaming.from", "10.0.0.2:5432")
                .containsEntry("errors", "0");
    }

    @ParameterizedTest(name = "{0} -> {1}, retriable {3}")
    @CsvSource({
            "SUCCEEDED, SUCCEEDED, '',    false",
            "REFUSED,   REFUSED,   true,  true",
            "REFUSED,   REFUSED,   false, false",
            "FAILED,    FAILED,    false, false",
    })
    void theOutcomeIsTheStatusAndTheErrorsSayWhetherToRetry(Outcome outcome, ActionStatus status, String retriableError, boolean retriable) {
        List<RejoinError> errors = retriableError.isEmpty() ? List.of() : List.of(new RejoinError("preconditions", "no answer", Boolean.parseBoolean(retriableError)));

        ActionRecord record = RejoinActions.record(report(outcome, Method.NONE, errors, Optional.of("what to do")), "a", "orders", Optional.empty());

        assertThat(record.getStatus()).isEqualTo(status);
        assertThat(record.getAttributes()).containsEntry("retriable", Boolean.toString(retriable));
    }

    @Test
    void conninfoQuotesWhatLibpqWouldSplit() {
        SourceServer source = new SourceServer("db-2.internal", 5432, "rejoin user", "postgres");

        assertThat(source.conninfo("it's-1")).isEqualTo("host=db-2.internal port=5432 user='rejoin user' dbname=postgres application_name='it\\'s-1'");
    }

    private static RejoinReport report(Outcome outcome, Method method, List<RejoinError> errors, Optional<String> whatToDo) {
        return new RejoinReport("orders-1", "10.0.0.2:5432", outcome, method, List.of(), Optional.of(new Divergence(Lsn.parse("0/3029740"), 1, 2)),
                Optional.of(DISCARDED), Optional.of(new KeptAside(Path.of("/var/lib/postgresql/15/main.before-rejoin-20261201T032206Z"), 73535483)),
                List.of(new PhaseTiming("rewind", Duration.ofMillis(3086))), Optional.of(new Streaming("streaming", "10.0.0.2:5432", "streaming")),
                errors, whatToDo, STARTED, STARTED.plusSeconds(4));
    }
}

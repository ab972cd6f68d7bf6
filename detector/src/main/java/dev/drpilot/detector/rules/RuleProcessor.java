package dev.drpilot.detector.rules;

import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertBook;
import dev.drpilot.events.Alert;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Instant;
import java.util.function.Function;

/**
 * What every rule's processor shares: its {@link AlertBook}, and a wall-clock punctuator every
 * {@code alerts.evaluationInterval} that runs the rule's own clock-driven checks (age and absence
 * cannot wait for a record that may never come) and re-emits alerts that are due a reminder.
 * Outputs are typed: most rules put out alerts only ({@code O} is {@link Alert}); a rule with more
 * to say (primary down) has its own output type, and its alerts are wrapped in it.
 */
abstract class RuleProcessor<V, O> implements Processor<String, V, String, O> {
    protected final String rule;
    protected final Plant plant;
    private final Function<Alert, O> alertOutput;
    protected ProcessorContext<String, O> context;
    protected AlertBook book;

    /**
     * @param alertOutput an alert as this rule's output
     */
    RuleProcessor(String rule, Plant plant, Function<Alert, O> alertOutput) {
        this.rule = rule;
        this.plant = plant;
        this.alertOutput = alertOutput;
    }

    @Override
    public final void init(ProcessorContext<String, O> context) {
        this.context = context;
        this.book = new AlertBook(context, rule, plant.alerts(), alert -> {
            context.forward(alert.withValue(alertOutput.apply(alert.value())));
            EARLY_COMMIT.get().alertEmitted();
        });
        initStores(context);
        context.schedule(plant.alerts().evaluationInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> {
            Instant now = Instant.ofEpochMilli(timestamp);
            tick(now);
            book.reemitDue(now);
            EARLY_COMMIT.get().requestIfDue(context);
        });
    }

    /**
     * Processes one input record, with its timestamp as the trigger time of whatever alert it emits
     * (users see observation-to-alert latency from it); the punctuator's alerts carry none.
     */
    @Override
    public final void process(Record<String, V> record) {
        EarlyCommit early = EARLY_COMMIT.get();
        early.behind = context.currentSystemTimeMs() - record.timestamp() > BEHIND_MS;
        book.triggeredBy(Instant.ofEpochMilli(record.timestamp()));
        try {
            handle(record);
        } finally {
            book.triggeredBy(null);
            early.behind = false;
        }
        early.requestIfDue(context);
    }

    /**
     * Least time between two early commits of one stream thread. With exactly-once an alert is
     * visible only once its transaction commits: waiting for the regular commit interval was most
     * of an alert's latency. So a rule that emits one asks for a commit at once, but not more often
     * than this: when alerts are many (a storm, or a backlog at full speed) the commits stay few
     * enough not to eat the throughput, and an alert waits at most this long (plus the commit).
     */
    static final long EARLY_COMMIT_GAP_MS = 50;

    /**
     * How old (wall clock at processing minus the record's timestamp) a record may be for its alert to ask for an early
     * commit: the commit interval. An older record is in a backlog (a burst, a restart's catch-up, a slow thread): its alert
     * is late by the backlog already and is committed by the regular commit at most this long after, while each early
     * commit blocks the stream thread for the transaction's round trips (measured: tens of ms each) and so deepens the
     * backlog. At full speed the early commits cost about a third of the throughput (docs/benchmarks.md, issue 16). A
     * collector whose clock runs more than this ahead of the detector's makes its records look on time (early commits as
     * designed), one behind makes them look late (its alerts wait for the regular commit, as before early commits).
     */
    static final long BEHIND_MS = 200;

    /**
     * Per stream thread, not per processor: with exactly-once v2 one commit covers all of the
     * thread's tasks, so one request, from whichever rule, is enough for every pending alert.
     */
    private static final ThreadLocal<EarlyCommit> EARLY_COMMIT = ThreadLocal.withInitial(EarlyCommit::new);

    private static final class EarlyCommit {
        boolean pending;
        /** Set while a rule handles a record older than {@link #BEHIND_MS}: its alerts wait for the regular commit. */
        boolean behind;

        void alertEmitted() {
            if (!behind) {
                pending = true;
            }
        }

        long lastRequestMs = Long.MIN_VALUE / 2;

        /** Asks Kafka Streams to commit after this record if an alert waits and the last request is long enough ago. */
        void requestIfDue(ProcessorContext<?, ?> context) {
            if (!pending) {
                return;
            }
            long now = context.currentSystemTimeMs();
            // A clock that went back (a step of the wall clock; in tests, another test's clock on this thread) makes the
            // request due: the gap only thins requests out, and waiting for the clock to catch up would hold alerts back.
            if (now - lastRequestMs >= EARLY_COMMIT_GAP_MS || now < lastRequestMs) {
                context.commit();
                pending = false;
                lastRequestMs = now;
            }
        }
    }

    /** The rule itself: one input record. */
    protected abstract void handle(Record<String, V> record);

    /** Opens the rule's own stores, besides its alert book's. */
    protected void initStores(ProcessorContext<String, O> context) {
    }

    /** The rule's clock-driven checks; by default none. */
    protected void tick(Instant now) {
    }

    protected Instant wallClock() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
}

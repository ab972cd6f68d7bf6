package dev.drpilot.detector.rules;

import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertBook;
import dev.drpilot.events.Alert;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;

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
        this.book = new AlertBook(context, rule, plant.alerts(),
                alert -> context.forward(alert.withValue(alertOutput.apply(alert.value()))));
        initStores(context);
        context.schedule(plant.alerts().evaluationInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> {
            Instant now = Instant.ofEpochMilli(timestamp);
            tick(now);
            book.reemitDue(now);
        });
    }

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

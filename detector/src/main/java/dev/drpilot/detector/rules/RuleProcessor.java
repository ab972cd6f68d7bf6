package dev.drpilot.detector.rules;

import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertBook;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;

import java.time.Instant;

/**
 * What every rule's processor shares: its {@link AlertBook}, and a wall-clock punctuator every
 * {@code alerts.evaluationInterval} that runs the rule's own clock-driven checks (age and absence
 * cannot wait for a record that may never come) and re-emits alerts that are due a reminder.
 * Outputs are {@code Object}: alerts, and for some rules failover commands or incident events,
 * which the topology sends on by type.
 */
abstract class RuleProcessor<V> implements Processor<String, V, String, Object> {
    protected final String rule;
    protected final Plant plant;
    protected ProcessorContext<String, Object> context;
    protected AlertBook book;

    RuleProcessor(String rule, Plant plant) {
        this.rule = rule;
        this.plant = plant;
    }

    @Override
    public final void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.book = new AlertBook(context, rule, plant.alerts());
        initStores(context);
        context.schedule(plant.alerts().evaluationInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> {
            Instant now = Instant.ofEpochMilli(timestamp);
            tick(now);
            book.reemitDue(now);
        });
    }

    /** Opens the rule's own stores, besides its alert book's. */
    protected void initStores(ProcessorContext<String, Object> context) {
    }

    /** The rule's clock-driven checks; by default none. */
    protected void tick(Instant now) {
    }

    protected Instant wallClock() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
}

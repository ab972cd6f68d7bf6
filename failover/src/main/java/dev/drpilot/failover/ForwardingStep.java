package dev.drpilot.failover;

import java.time.Duration;
import java.util.Map;

/**
 * A step that wraps another and forwards every question to it, so that a wrapper overrides only what it changes and a
 * method added to {@link FailoverStep} later is forwarded too, not silently answered with the interface's default.
 */
public abstract class ForwardingStep implements FailoverStep {
    protected final FailoverStep delegate;

    protected ForwardingStep(FailoverStep delegate) {
        this.delegate = delegate;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public String plan(FailoverContext context) {
        return delegate.plan(context);
    }

    @Override
    public boolean alreadyDone(FailoverContext context) throws Exception {
        return delegate.alreadyDone(context);
    }

    @Override
    public Map<String, String> alreadyDoneAttributes() {
        return delegate.alreadyDoneAttributes();
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        return delegate.run(context, timeout);
    }
}

package dev.drpilot.agent;

import dev.drpilot.runtime.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One of the agent's loops on a thread of its own: {@link #tick()} every {@code interval}. A tick that throws is
 * logged, shown as trouble on the health endpoint and tried again next interval — the agent's loops guard a primary
 * and must not stop for a passing error; only an {@link Error} (out of memory, a bug the JVM cannot recover from)
 * ends one, and then the health endpoint shows it dead.
 */
abstract class AgentLoop implements Worker, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentLoop.class);

    private final String name;
    private final Duration interval;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Throwable failure;
    private volatile String trouble;
    private volatile long failures;

    AgentLoop(String name, Duration interval) {
        this.name = name;
        this.interval = interval;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** One round of the loop. */
    abstract void tick() throws Exception;

    /** How long to wait after a tick: the interval, unless the loop keeps a cadence of its own. */
    long nextDelayMillis() {
        return interval.toMillis();
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            while (stop.getCount() > 0) {
                try {
                    tick();
                    trouble = null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    failures++;
                    trouble = "failure " + failures + ": " + e;
                    log.error("{}: {} (trying again in {} ms)", name, e.toString(), interval.toMillis(), e);
                }
                if (stop.await(nextDelayMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            failure = e;
            log.error("{} died: {}", name, e.toString(), e);
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean alive() {
        return thread.isAlive();
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public Optional<String> trouble() {
        return Optional.ofNullable(trouble);
    }

    /** Whether closing interrupts a tick under way; a loop whose tick must not be cut short (a fence) says no. */
    boolean interruptOnClose() {
        return true;
    }

    @Override
    public void close() {
        stop.countDown();
        if (interruptOnClose()) {
            thread.interrupt();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(interruptOnClose() ? 10 : 60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

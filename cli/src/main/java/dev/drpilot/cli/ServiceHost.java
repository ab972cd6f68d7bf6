package dev.drpilot.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;

/**
 * Holds what a command started and stops it in reverse order, once, whether the command ends
 * by a signal (Ctrl-C, SIGTERM) or by an error while starting.
 */
final class ServiceHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceHost.class);

    private final String command;
    private final Deque<Running> running = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private record Running(String name, AutoCloseable resource) {
    }

    ServiceHost(String command) {
        this.command = command;
    }

    synchronized void add(String name, AutoCloseable resource) {
        running.push(new Running(name, resource));
    }

    /** Blocks until the JVM is asked to stop; the shutdown hook stops everything first. */
    int runUntilShutdown(String kafkaDescription) throws InterruptedException {
        Thread hook = new Thread(() -> {
            log.info("drpilot {}: stopping", command);
            close();
        }, "drpilot-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        log.info("drpilot {} running on {}; stop it with Ctrl-C or SIGTERM", command, kafkaDescription);
        stopped.await();
        return ExitCodes.OK;
    }

    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        while (!running.isEmpty()) {
            Running service = running.pop();
            try {
                service.resource().close();
                log.info("drpilot {}: {} stopped", command, service.name());
            } catch (Exception e) {
                log.error("drpilot {}: {} did not stop cleanly: {}", command, service.name(), e.toString(), e);
            }
        }
        log.info("drpilot {}: stopped cleanly", command);
        stopped.countDown();
    }
}

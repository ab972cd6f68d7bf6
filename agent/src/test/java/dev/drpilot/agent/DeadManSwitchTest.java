package dev.drpilot.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dead-man switch is a real child process; its "stop command" here writes a marker file, so what it would do to
 * PostgreSQL is seen without a server (AgentLeaseIT runs it against one).
 */
class DeadManSwitchTest {
    @TempDir
    Path dir;
    private DeadManSwitch watchdog;

    private DeadManSwitch start() throws IOException {
        watchdog = DeadManSwitch.start(dir, true, List.of("touch", dir.resolve("fenced").toString()), dir.resolve("dead-man.log"));
        return watchdog;
    }

    @AfterEach
    void stop() {
        if (watchdog != null) {
            watchdog.close();
        }
    }

    @Test
    void whenThePettingStopsItRunsTheStopCommandAtTheDeadline() throws IOException {
        DeadManSwitch watchdog = start();
        watchdog.arm(300);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("fenced")));
        // standby.signal first: whoever starts the server next starts a standby.
        assertThat(dir.resolve("standby.signal")).exists();
        // Its work done, it exits: the agent's health shows it gone, so the agent is restarted with a new one.
        await().atMost(Duration.ofSeconds(5)).until(() -> !watchdog.alive());
    }

    @Test
    void aPetBeforeTheDeadlinePutsItOff() throws IOException {
        DeadManSwitch watchdog = start();
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        watchdog.arm(400);
        // Petting every 100 ms for 1.5 s keeps it from acting although each pet gives it only 400 ms.
        await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> {
            watchdog.arm(400);
            return System.nanoTime() - until >= 0;
        });
        assertThat(dir.resolve("fenced")).doesNotExist();
        watchdog.disarm();
    }

    @Test
    void disarmedOrClosedItNeverActs() throws IOException {
        DeadManSwitch watchdog = start();
        watchdog.arm(300);
        watchdog.disarm();
        watchdog.arm(300);
        watchdog.close();
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> !Files.exists(dir.resolve("fenced")));
        assertThat(watchdog.alive()).isTrue();
    }
}

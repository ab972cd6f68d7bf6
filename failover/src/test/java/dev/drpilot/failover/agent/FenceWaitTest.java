package dev.drpilot.failover.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** How long a FENCE waits for an agent's reply: the full wait unless the actuator saw that agent stop renewing its lease. */
class FenceWaitTest {
    private static final Duration WANTED = Duration.ofSeconds(2);
    private static final Optional<Duration> RENEW = Optional.of(Duration.ofMillis(500));

    @Test
    void anAgentSilentForMoreThanTwoRenewalsAndAPollGetsTheShortWait() {
        NodeAgents.FenceWait wait = NodeAgents.fenceWait(Optional.of(Duration.ofMillis(1_201)), RENEW, WANTED);
        assertThat(wait.replyWait()).isEqualTo(NodeAgents.SILENT_AGENT_WAIT);
        assertThat(wait.silence()).contains(Duration.ofMillis(1_201));
        assertThat(wait.describe()).isEqualTo("300 ms (its lease renewals stopped 1201 ms ago)");
    }

    @Test
    void anAgentThatRenewedRecentlyOrWhoseSilenceIsUnknownGetsTheFullWait() {
        assertThat(NodeAgents.fenceWait(Optional.of(Duration.ofMillis(1_200)), RENEW, WANTED).replyWait()).as("one renewal late is no silence")
                .isEqualTo(WANTED);
        assertThat(NodeAgents.fenceWait(Optional.empty(), RENEW, WANTED)).as("the tail is not reading, or the agent holds nothing")
                .isEqualTo(new NodeAgents.FenceWait(WANTED, Optional.empty()));
        assertThat(NodeAgents.fenceWait(Optional.of(Duration.ofMinutes(1)), Optional.empty(), WANTED).replyWait()).as("no agent configured")
                .isEqualTo(WANTED);
        assertThat(NodeAgents.fenceWait(Optional.of(Duration.ofMinutes(1)), RENEW, Duration.ofMillis(100)).replyWait())
                .as("a wait already shorter is never lengthened").isEqualTo(Duration.ofMillis(100));
        assertThat(new NodeAgents.FenceWait(WANTED, Optional.empty()).describe()).isEqualTo("2000 ms");
    }
}

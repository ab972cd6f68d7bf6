package dev.drpilot.recovery.drill;

import java.time.Duration;
import java.util.Map;

/** The data a drill lost, as a time: for each lost acknowledged row, how long before its node's last acknowledged write it was made. */
final class Rpo {
    private Rpo() {
    }

    static Duration of(Map<Long, ProbeWriter.Ack> acknowledged, Map<Long, ProbeWriter.Ack> lost) {
        Duration worst = Duration.ZERO;
        for (ProbeWriter.Ack row : lost.values()) {
            Duration window = acknowledged.values().stream().filter(ack -> ack.node().equals(row.node()))
                    .map(ack -> Duration.between(row.at(), ack.at())).max(Duration::compareTo).orElse(Duration.ZERO);
            if (window.compareTo(worst) > 0) {
                worst = window;
            }
        }
        return worst;
    }
}

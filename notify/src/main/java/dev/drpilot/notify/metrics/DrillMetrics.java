package dev.drpilot.notify.metrics;

import dev.drpilot.events.ActionRecord;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The drills on {@code /metrics}: per drill, when it last passed and the RTO and RPO its newest run measured (absent
 * until a run measured them). An alert rule on the timestamp pages when the plan's testing schedule is not kept.
 */
public final class DrillMetrics {
    private final DrillRuns runs = new DrillRuns();

    public DrillMetrics(PrometheusRegistry registry) {
        GaugeWithCallback.builder().name("drpilot_drill_last_success_timestamp_seconds")
                .help("When the drill last passed (its report's outcome PASSED), in seconds since the epoch")
                .labelNames("drill")
                .callback(callback -> successes().forEach((drill, at) -> callback.call(at.toEpochMilli() / 1000.0, drill)))
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_drill_rto_seconds")
                .help("The recovery time the drill's newest run measured (switchover: ordered to writable; restore: the restore's duration)")
                .labelNames("drill")
                .callback(callback -> snapshot().forEach((drill, run) -> run.rto()
                        .ifPresent(rto -> callback.call(seconds(rto), drill))))
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_drill_rpo_seconds")
                .help("The data loss the drill's newest run measured, as a time (switchover: acknowledged writes lost; restore: short of the target)")
                .labelNames("drill")
                .callback(callback -> snapshot().forEach((drill, run) -> run.rpo()
                        .ifPresent(rpo -> callback.call(seconds(rpo), drill))))
                .register(registry);
    }

    public synchronized void accept(ActionRecord record) {
        runs.accept(record);
    }

    private synchronized Map<String, DrillRuns.Run> snapshot() {
        return runs.all();
    }

    private synchronized Map<String, Instant> successes() {
        return runs.lastSuccesses();
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}

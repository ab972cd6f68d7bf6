package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code fence} with {@code method: command}: runs the configured shell command (e.g. a STONITH
 * call, {@code ssh pg-1 sudo systemctl stop postgresql}, a cloud CLI stopping the instance) with
 * the old primary in the environment ({@code DRPILOT_NODE}, {@code DRPILOT_HOST},
 * {@code DRPILOT_PORT}, {@code DRPILOT_CLUSTER}, {@code DRPILOT_INCIDENT}). Exit 0 is success; the
 * command must be idempotent, since a resumed runbook may run it again.
 */
public final class CommandFenceStep implements FailoverStep {
    private final String command;

    public CommandFenceStep(String command) {
        this.command = command;
    }

    @Override
    public String describe() {
        return "fence command";
    }

    @Override
    public String plan(FailoverContext context) {
        return "run `" + command + "` for " + context.failedPrimary().map(NodeConfig::name).orElse("(no failed primary)");
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        return context.failedPrimary().isEmpty();
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        NodeConfig old = context.failedPrimary().orElseThrow();
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
        builder.environment().putAll(Map.of("DRPILOT_NODE", old.name(), "DRPILOT_HOST", old.host(), "DRPILOT_PORT", Integer.toString(old.port()),
                "DRPILOT_CLUSTER", context.cluster().name(), "DRPILOT_INCIDENT", context.incidentId()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new StepFailedException("could not start the fence command: " + e.getMessage(), e);
        }
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new StepFailedException("the fence command did not finish within " + timeout.toSeconds() + " s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String tail = output.length() > 500 ? output.substring(output.length() - 500) : output;
        if (process.exitValue() != 0) {
            throw new StepFailedException("the fence command exited with " + process.exitValue() + (tail.isEmpty() ? "" : ": " + tail));
        }
        return new StepOutcome("fence command succeeded for " + old.name() + (tail.isEmpty() ? "" : ": " + tail), Map.of("fenced", FenceEvidence.COMMAND.attribute()));
    }
}

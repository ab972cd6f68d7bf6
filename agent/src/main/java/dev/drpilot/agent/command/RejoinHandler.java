package dev.drpilot.agent.command;

import dev.drpilot.agent.Lease;
import dev.drpilot.agent.rejoin.LocalNode;
import dev.drpilot.agent.rejoin.Rejoin;
import dev.drpilot.agent.rejoin.RejoinActions;
import dev.drpilot.agent.rejoin.RejoinReport;
import dev.drpilot.agent.rejoin.RejoinSettings;
import dev.drpilot.agent.rejoin.RejoinTimeouts;
import dev.drpilot.agent.rejoin.SourceCheck;
import dev.drpilot.agent.rejoin.SourceServer;
import dev.drpilot.agent.rejoin.StartOptions;
import dev.drpilot.config.AgentSettings;
import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentReplyOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * REJOIN: makes this node, a replaced old primary, a streaming replica of the primary the command names ({@code newPrimary},
 * at {@code details.host}:{@code details.port}; {@code details.allowBaseBackup}) with {@link Rejoin}, and replies with its
 * report — in words as the detail, its figures ({@link RejoinActions#attributes}) as attributes, which the actuator
 * records on drpilot.actions. While it runs the agent holds no lease for its node.
 *
 * <p>A server running here is first stopped, but only once the named primary answers as a primary ahead of this node (a
 * command read long after it was sent may name a primary that was switched back since): a primary with the immediate stop
 * the fence uses (its writes end at once), a standby with a fast shutdown. {@code standby.signal} is kept out of the way of
 * pg_rewind (its crash recovery in single-user mode refuses to run beside one); when the rejoin did not succeed it is put back,
 * and written into a server this handler stopped, so that whoever starts the server next starts a standby.
 */
public final class RejoinHandler implements CommandHandler {
    private static final Logger log = LoggerFactory.getLogger(RejoinHandler.class);
    static final String STANDBY_SIGNAL = "standby.signal";

    private final AgentSettings settings;
    private final String node;
    private final LocalPostgres local;
    private final RejoinTimeouts timeouts;
    private final Clock clock;

    public RejoinHandler(AgentSettings settings, String node, LocalPostgres local, RejoinTimeouts timeouts, Clock clock) {
        this.settings = settings;
        this.node = node;
        this.local = local;
        this.timeouts = timeouts;
        this.clock = clock;
    }

    @Override
    public Reply handle(AgentCommand command) throws IOException {
        Optional<String> invalid = invalid(command);
        if (invalid.isPresent()) {
            return Reply.refused(invalid.get());
        }
        SourceServer source = new SourceServer(command.getDetails().get("host"), Integer.parseInt(command.getDetails().get("port")),
                settings.user(), settings.database());
        Map<String, String> attributes = new LinkedHashMap<>();
        Optional.ofNullable(command.getIncidentId()).ifPresent(incident -> attributes.put("incidentId", incident));
        attributes.put("newPrimary", command.getNewPrimary());
        local.withholdLease(true);
        try {
            StartOptions options = StartOptions.read(settings.dataDir());
            LocalPostgres.Seen seen = local.look();
            if (seen.role() == Lease.Role.UNKNOWN) {
                return refused("the local server does not answer (or answers with an error): what it is cannot be told, nothing was touched",
                        attributes);
            }
            if (seen.role() != Lease.Role.DOWN) {
                Optional<String> notAhead = SourceCheck.notAPrimaryToFollow(source, seen.timeline(), timeouts.command());
                if (notAhead.isPresent()) {
                    return refused("the local server runs as a " + seen.role().name().toLowerCase(Locale.ROOT) + " and was left running: "
                            + notAhead.get(), attributes);
                }
                attributes.putAll(stop(seen.role(), command));
            }
            boolean signalMoved = Files.deleteIfExists(settings.dataDir().resolve(STANDBY_SIGNAL));
            RejoinReport report = new Rejoin(new RejoinSettings(localNode(options), source,
                    Boolean.parseBoolean(command.getDetails().get("allowBaseBackup")), timeouts), clock).run();
            // A server this handler stopped was found replaced; one it found stopped is left as it was found.
            if (report.outcome() != RejoinReport.Outcome.SUCCEEDED && (signalMoved || attributes.containsKey("stopped"))) {
                restoreStandbySignal();
            }
            attributes.putAll(RejoinActions.attributes(report));
            attributes.put("startedAt", report.startedAt().toString());
            String stopped = attributes.containsKey("stopped") ? "stopped the local " + attributes.get("stopped") + " first\n" : "";
            return new Reply(outcome(report.outcome()), stopped + report.describe(), attributes);
        } finally {
            local.withholdLease(false);
        }
    }

    private Optional<String> invalid(AgentCommand command) {
        Map<String, String> details = command.getDetails();
        if (command.getNewPrimary() == null || command.getNewPrimary().equals(node)) {
            return Optional.of("a rejoin must name another node as the new primary (it names " + command.getNewPrimary() + ")");
        }
        if (details.get("host") == null || details.get("host").isBlank()) {
            return Optional.of("the rejoin command names no host of the new primary (details.host)");
        }
        try {
            int port = Integer.parseInt(String.valueOf(details.get("port")));
            return port > 0 && port < 65536 ? Optional.empty() : Optional.of("details.port " + port + " is no port");
        } catch (NumberFormatException e) {
            return Optional.of("the rejoin command names no port of the new primary (details.port: " + details.get("port") + ")");
        }
    }

    private Map<String, String> stop(Lease.Role role, AgentCommand command) throws IOException {
        Map<String, String> stopped = new LinkedHashMap<>();
        if (role == Lease.Role.PRIMARY) {
            log.warn("rejoin {}: the local server runs as a primary, replaced by {}: stopping it now", command.getCommandId(), command.getNewPrimary());
            local.stopNow().forEach((key, value) -> stopped.put("stop." + key, value));
            stopped.put("stopped", "primary (replaced by " + command.getNewPrimary() + ")");
        } else {
            log.info("rejoin {}: the local server runs as a standby: a fast shutdown before the rewind", command.getCommandId());
            local.stopCleanly();
            stopped.put("stopped", "standby");
        }
        return stopped;
    }

    private LocalNode localNode(StartOptions options) {
        Path dataDir = settings.dataDir();
        return new LocalNode(node, dataDir, settings.bin(), settings.osUser(), settings.host(), settings.port(), options.serverOptions(),
                dataDir.resolve("drpilot-agent-start.log"), options.configFile());
    }

    private void restoreStandbySignal() {
        Path signal = settings.dataDir().resolve(STANDBY_SIGNAL);
        try {
            if (Files.isDirectory(settings.dataDir()) && !Files.exists(signal)) {
                Files.createFile(signal);
                // Owned like the data directory (the agent may run as root), so the server can remove it when promoted.
                if (!Files.getOwner(signal).equals(Files.getOwner(settings.dataDir()))) {
                    Files.setOwner(signal, Files.getOwner(settings.dataDir()));
                }
            }
        } catch (IOException e) {
            log.error("rejoin: could not put {} back: a start of this server would make it a primary: {}", signal, e.toString());
        }
    }

    private Reply refused(String why, Map<String, String> attributes) {
        log.warn("rejoin refused: {}", why);
        return new Reply(AgentReplyOutcome.REFUSED, why, attributes);
    }

    private static AgentReplyOutcome outcome(RejoinReport.Outcome outcome) {
        switch (outcome) {
            case SUCCEEDED:
                return AgentReplyOutcome.DONE;
            case REFUSED:
                return AgentReplyOutcome.REFUSED;
            default:
                return AgentReplyOutcome.FAILED;
        }
    }
}

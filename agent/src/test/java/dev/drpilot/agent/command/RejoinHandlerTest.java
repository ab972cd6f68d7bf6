package dev.drpilot.agent.command;

import dev.drpilot.agent.Lease;
import dev.drpilot.agent.rejoin.RejoinTimeouts;
import dev.drpilot.config.AgentSettings;
import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentReplyOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** What a rejoin command is refused for before anything is touched, and that the lease is withheld only while it runs. */
class RejoinHandlerTest {
    private static final RejoinTimeouts TIMEOUTS = new RejoinTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));

    @TempDir
    Path dataDir;

    /** The server as the test says it is; records what the handler asked of it. */
    private static final class Server implements LocalPostgres {
        final Lease.Role role;
        final List<String> calls = new ArrayList<>();

        Server(Lease.Role role) {
            this.role = role;
        }

        @Override
        public Seen look() {
            calls.add("look");
            return new Seen(role, OptionalLong.of(1));
        }

        @Override
        public Map<String, String> stopNow() {
            calls.add("stopNow");
            return Map.of();
        }

        @Override
        public void stopCleanly() {
            calls.add("stopCleanly");
        }

        @Override
        public void withholdLease(boolean withhold) {
            calls.add("withhold " + withhold);
        }
    }

    private RejoinHandler handler(Server server) {
        AgentSettings settings = new AgentSettings(dataDir, Path.of("/usr/lib/postgresql/15/bin"), Optional.empty(), "127.0.0.1", 5432,
                "postgres", "postgres", Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(2),
                AgentSettings.FenceMethod.DEMOTE, false, Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), "127.0.0.1", 0);
        return new RejoinHandler(settings, "pg-1", server, TIMEOUTS, Clock.systemUTC());
    }

    private static AgentCommand command(String newPrimary, Map<String, String> details) {
        Instant now = Instant.now();
        return AgentCommand.newBuilder().setCommandId("i-1/rejoin/pg-1").setCluster("orders").setNode("pg-1").setKind(AgentCommandKind.REJOIN)
                .setNewPrimary(newPrimary).setIncidentId("i-1").setReason("test").setIssuedBy("test").setIssuedAt(now)
                .setExpiresAt(now.plusSeconds(60)).setDetails(new HashMap<>(details)).build();
    }

    @Test
    void aCommandWithoutItsNewPrimaryOrNamingThisNodeIsRefusedUntouched() throws Exception {
        Server server = new Server(Lease.Role.PRIMARY);

        assertThat(handler(server).handle(command("pg-2", Map.of("port", "5432"))).detail())
                .isEqualTo("the rejoin command names no host of the new primary (details.host)");
        assertThat(handler(server).handle(command("pg-2", Map.of("host", "pg-2.db", "port", "x"))).detail())
                .isEqualTo("the rejoin command names no port of the new primary (details.port: x)");
        assertThat(handler(server).handle(command("pg-1", Map.of("host", "pg-1.db", "port", "5432"))).outcome())
                .isEqualTo(AgentReplyOutcome.REFUSED);
        assertThat(server.calls).isEmpty();
    }

    @Test
    void aRunningPrimaryIsLeftRunningWhenTheNamedPrimaryDoesNotAnswer() throws Exception {
        Server server = new Server(Lease.Role.PRIMARY);
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }

        CommandHandler.Reply reply = handler(server).handle(command("pg-2", Map.of("host", "127.0.0.1", "port", Integer.toString(closed))));

        assertThat(reply.outcome()).isEqualTo(AgentReplyOutcome.REFUSED);
        assertThat(reply.detail()).startsWith("the local server runs as a primary and was left running: 127.0.0.1:" + closed
                + " does not answer as a primary");
        assertThat(reply.attributes()).containsEntry("incidentId", "i-1").containsEntry("newPrimary", "pg-2");
        assertThat(server.calls).containsExactly("withhold true", "look", "withhold false");
    }

    @Test
    void aServerThatCannotBeToldIsLeftAlone() throws IOException {
        Server server = new Server(Lease.Role.UNKNOWN);

        CommandHandler.Reply reply = handler(server).handle(command("pg-2", Map.of("host", "127.0.0.1", "port", "5432")));

        assertThat(reply.outcome()).isEqualTo(AgentReplyOutcome.REFUSED);
        assertThat(reply.detail()).startsWith("the local server does not answer");
        assertThat(server.calls).containsExactly("withhold true", "look", "withhold false");
    }

    @Test
    void aStoppedServersStandbySignalIsBackAfterARejoinThatDidNotSucceedAndNoneIsAddedToOneFoundWithout() throws Exception {
        Server server = new Server(Lease.Role.DOWN);
        Path signal = Files.createFile(dataDir.resolve("standby.signal"));

        // No PostgreSQL data directory here: the rejoin's first check refuses.
        CommandHandler.Reply reply = handler(server).handle(command("pg-2", Map.of("host", "127.0.0.1", "port", "5432")));

        assertThat(reply.outcome()).as(reply.detail()).isEqualTo(AgentReplyOutcome.REFUSED);
        assertThat(reply.detail()).contains("local server stopped");
        assertThat(signal).exists();
        assertThat(server.calls).containsExactly("withhold true", "look", "withhold false");

        Files.delete(signal);
        assertThat(handler(server).handle(command("pg-2", Map.of("host", "127.0.0.1", "port", "5432"))).outcome())
                .isEqualTo(AgentReplyOutcome.REFUSED);
        assertThat(signal).doesNotExist();
    }
}

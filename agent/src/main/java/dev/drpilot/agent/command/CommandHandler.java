package dev.drpilot.agent.command;

import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentReplyOutcome;

import java.util.Map;

/**
 * Carries out one kind of {@link AgentCommand} on the agent's node. {@link CommandLoop} calls it on a thread of its kind
 * (a rejoin that takes minutes never holds up a fence) and sends what it returns as the {@code AgentReply}; an exception
 * is replied as FAILED with its message.
 */
@FunctionalInterface
public interface CommandHandler {
    Reply handle(AgentCommand command) throws Exception;

    /** What the agent answers: DONE (carried out and confirmed), REFUSED (nothing changed; why), FAILED (tried, not there). */
    record Reply(AgentReplyOutcome outcome, String detail, Map<String, String> attributes) {
        public Reply {
            attributes = Map.copyOf(attributes);
        }

        public static Reply done(String detail, Map<String, String> attributes) {
            return new Reply(AgentReplyOutcome.DONE, detail, attributes);
        }

        public static Reply refused(String why) {
            return new Reply(AgentReplyOutcome.REFUSED, why, Map.of());
        }

        public static Reply failed(String why, Map<String, String> attributes) {
            return new Reply(AgentReplyOutcome.FAILED, why, attributes);
        }
    }
}

package dev.drpilot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.config.Matchers;
import dev.drpilot.events.Silence;
import dev.drpilot.notify.silence.SilenceStore;
import dev.drpilot.notify.silence.Silences;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code drpilot silence add|list|expire}: Alertmanager's silences, on drpilot's own routing. */
@Command(name = "silence", description = "Silences: hold back the alerts they match from every receiver, for a while (amtool silence's counterpart).",
        subcommands = {SilenceCli.Add.class, SilenceCli.List.class, SilenceCli.Expire.class, CommandLine.HelpCommand.class})
final class SilenceCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The Kafka connection and the store, shared by the three commands. */
    abstract static class SilenceCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        KafkaAccess kafkaAccess = new KafkaAccess();

        abstract int run(SilenceStore store, String principal, PrintWriter out) throws Exception;

        /** Checks the arguments before any connection is made: a usage error names the option. */
        void validate() {
        }

        @Override
        public Integer call() throws Exception {
            validate();
            DrpilotConfig config = kafkaAccess.config();
            try (KafkaConnection kafka = kafkaAccess.open(config, "silence " + spec.name())) {
                try (Admin admin = Admin.create(kafka.clientProperties())) {
                    TopicAdmin.ensureTopics(admin, java.util.List.of(Topics.SILENCES, Topics.ACTIONS), config.kafka().partitions(),
                            config.kafka().replicationFactor(), Duration.ofSeconds(30));
                }
                PrintWriter out = spec.commandLine().getOut();
                int code = run(new SilenceStore(kafka.clientProperties(), Clock.systemUTC()), KafkaPrincipal.of(kafka.clientProperties()), out);
                out.flush();
                return code;
            }
        }

        static String user() {
            return System.getenv().getOrDefault("USER", "an operator");
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Silence the alerts that match: they are not delivered while the silence lasts (they still show on the status page, marked silenced); one still firing when it ends is delivered then. Prints the new silence's id."},
            footer = {"", "Example:", "  drpilot silence add --match rule=replication-lag,cluster=orders --for 2h --comment \"rebuilding pg-2\""})
    static final class Add extends SilenceCommand {
        @Option(names = "--match", required = true, paramLabel = "LABEL=VALUE[,...]",
                description = "Which alerts: every LABEL=VALUE must hold. Labels: rule, cluster, component, node, severity.")
        String match;

        @Option(names = "--for", required = true, paramLabel = "DURATION", description = "How long, from now, e.g. 30m, 2h, 1d.")
        String duration;

        @Option(names = "--comment", required = true, description = "Why, for whoever sees the silence.")
        String comment;

        @Option(names = "--author", paramLabel = "NAME", description = "Who silences, for the audit trail (default: $USER).")
        String author;

        private Matchers matchers;
        private Duration length;

        @Override
        void validate() {
            try {
                matchers = Matchers.parse(match);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--match: " + e.getMessage());
            }
            try {
                length = Durations.parse(duration);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--for: " + e.getMessage());
            }
            if (length.isZero() || length.isNegative()) {
                throw new UsageException("--for: " + duration + " must be longer than 0s");
            }
            if (comment.isBlank()) {
                throw new UsageException("--comment: say why (it is what on-call engineers see)");
            }
        }

        @Override
        int run(SilenceStore store, String principal, PrintWriter out) throws Exception {
            String who = author != null ? author : user();
            Silence silence = store.add(matchers, length, comment, who, principal);
            out.println(silence.getId());
            spec.commandLine().getErr().println("silence " + silence.getId() + " added by " + who + ": " + matchers + " until "
                    + silence.getEndsAt());
            spec.commandLine().getErr().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the silences in force (with --expired, also those that ended).")
    static final class List extends SilenceCommand {
        @Option(names = "--expired", description = "Also the silences that ended.")
        boolean expired;

        @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
        String output;

        @Override
        void validate() {
            if (!output.equals("text") && !output.equals("json")) {
                throw new UsageException("--output: \"" + output + "\" is not text or json");
            }
        }

        @Override
        int run(SilenceStore store, String principal, PrintWriter out) throws Exception {
            Instant now = Instant.now();
            java.util.List<Silence> shown = store.read().stream().filter(silence -> expired || silence.getEndsAt().isAfter(now)).toList();
            if (output.equals("json")) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(shown.stream()
                        .map(silence -> json(silence, now)).toList()));
            } else {
                out.print(format(shown, now));
            }
            return ExitCodes.OK;
        }

        private static Map<String, Object> json(Silence silence, Instant now) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", silence.getId());
            row.put("state", state(silence, now));
            row.put("matchers", silence.getMatchers());
            row.put("startsAt", silence.getStartsAt().toString());
            row.put("endsAt", silence.getEndsAt().toString());
            row.put("createdBy", silence.getCreatedBy());
            row.put("comment", silence.getComment());
            Optional.ofNullable(silence.getExpiredBy()).ifPresent(by -> row.put("expiredBy", by));
            return row;
        }
    }

    /** A table as amtool prints one: ID, state, matchers, end, author, comment. */
    static String format(java.util.List<Silence> silences, Instant now) {
        if (silences.isEmpty()) {
            return "no silences in force\n";
        }
        java.util.List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATE", "MATCHERS", "ENDS", "CREATED BY", "COMMENT"});
        for (Silence silence : silences) {
            rows.add(new String[] {silence.getId(), state(silence, now), Silences.matchers(silence).toString(), silence.getEndsAt().toString(),
                    silence.getCreatedBy() + (silence.getExpiredBy() == null ? "" : " (expired by " + silence.getExpiredBy() + ")"),
                    silence.getComment()});
        }
        int[] widths = new int[rows.get(0).length];
        rows.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        });
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    static String state(Silence silence, Instant now) {
        if (silence.getStartsAt().isAfter(now)) {
            return "pending";
        }
        return silence.getEndsAt().isAfter(now) ? "active" : "expired";
    }

    @Command(name = "expire", mixinStandardHelpOptions = true,
            description = "End a silence now: the alerts it held back that still fire are delivered within seconds.")
    static final class Expire extends SilenceCommand {
        @Parameters(paramLabel = "ID", description = "The silence (drpilot silence list shows the ids).")
        String id;

        @Option(names = "--author", paramLabel = "NAME", description = "Who expires it, for the audit trail (default: $USER).")
        String author;

        @Override
        int run(SilenceStore store, String principal, PrintWriter out) throws Exception {
            String who = author != null ? author : user();
            Optional<Silence> expired = store.expire(id, who, principal);
            if (expired.isEmpty()) {
                throw new UsageException("no silence with id \"" + id + "\" (drpilot silence list --expired shows them all)");
            }
            out.println("silence " + id + " expired" + (who.equals(expired.get().getExpiredBy()) ? " by " + who : " already, at "
                    + expired.get().getEndsAt()));
            return ExitCodes.OK;
        }
    }
}

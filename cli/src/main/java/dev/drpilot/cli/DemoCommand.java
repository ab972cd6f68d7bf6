package dev.drpilot.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import dev.drpilot.cli.demo.DemoEvents;
import dev.drpilot.cli.demo.DemoScenarios;
import dev.drpilot.cli.demo.Mailbox;
import dev.drpilot.cli.demo.Narrator;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Component;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.EmailReceiver;
import dev.drpilot.config.LogReceiver;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Receiver;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresInstallation;
import dev.drpilot.notify.NotifyOptions;
import dev.drpilot.notify.NotifyService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code drpilot demo}: the whole pipeline on this machine against real PostgreSQL servers, and
 * the DR plan's scenarios played against it with a narration. Everything it starts — broker,
 * servers, SMTP server, services — is stopped and its data removed on Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Play the DR plan's scenarios on this machine, narrated.", "",
                "Starts an embedded Kafka broker, a PostgreSQL primary and streaming replica (from the installed server binaries), "
                        + "an in-process SMTP server and drpilot's whole pipeline. It pauses replay (lag alert), reports a failed backup "
                        + "(email), lets the RPO pass (RPO breach) and kills the primary (automatic failover, with its measured RTO), "
                        + "narrating each. Then it keeps running for the status page until Ctrl-C, which stops and removes everything."})
final class DemoCommand implements Callable<Integer> {
    static final String BUILT_IN = "dev/drpilot/cli/demo/demo.yaml";
    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The demo's plan (default: the built-in one, cli/src/main/resources/" + BUILT_IN + ").")
    Path configFile;

    @Option(names = "--status-listen", paramLabel = "[HOST]:PORT", defaultValue = "127.0.0.1:9464",
            description = "Where the status page and /metrics are served (default ${DEFAULT-VALUE}; port 0 picks a free one).")
    String statusListen;

    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "var/demo",
            description = "Where the demo keeps its log and the emails it received (default ${DEFAULT-VALUE}); emptied at start.")
    Path workDir;

    @Option(names = "--exit-when-done", description = "Stop once the scenarios are played instead of waiting for Ctrl-C.")
    boolean exitWhenDone;

    @Option(names = "--verbose", description = "Show drpilot's log on the console too (it always goes to the work dir's drpilot.log).")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        MetricsListenOption.Address status = MetricsListenOption.Address.parse(statusListen, "--status-listen", spec.commandLine());
        DrpilotConfig config = loadConfig();
        DemoScenarios.Plan plan = plan(config);
        ClusterConfig cluster = config.clusters().get(plan.cluster());
        EmailReceiver mailReceiver = emailReceiver(config);
        try {
            PostgresInstallation.find();
        } catch (IllegalStateException e) {
            throw new UsageException("needs the PostgreSQL server binaries to start its primary and replica: install them"
                    + " (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql) or set PG_BIN to the"
                    + " directory holding initdb, pg_ctl and pg_basebackup");
        }
        prepareWorkDir();
        Narrator narrator = new Narrator(new PrintStream(System.out, true, StandardCharsets.UTF_8), Clock.systemDefaultZone());
        Path scratch = Files.createTempDirectory("drpilot-demo-");
        AtomicInteger exitCode = new AtomicInteger(ExitCodes.OK);
        try (ServiceHost host = new ServiceHost("demo")) {
            // Said by the host as the last thing it stops, not after runUntilShutdown returns: on
            // Ctrl-C the JVM halts as soon as the shutdown hook ends, and the main thread may never
            // get to print another line.
            host.add("closing line", () -> narrator.say("drpilot demo stopped: broker, PostgreSQL servers, SMTP server and services are down,"
                    + " their data removed"));
            host.add("scratch directory", () -> deleteTree(scratch));
            Thread hook = new Thread(host::close, "drpilot-demo-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            Thread scenarios;
            // Holding the host while starting makes a Ctrl-C in the middle wait until what is being
            // started is registered, so that it is stopped too: a PostgreSQL server left behind would
            // keep its port and its data.
            synchronized (host) {
                narrator.say("drpilot demo: plan %s; log %s", configFile == null ? "built-in (" + BUILT_IN + ")" : configFile,
                        workDir.resolve("drpilot.log"));
                KafkaConnection kafka = KafkaConnection.open(config.kafka(), null, true, scratch.resolve("kafka"), "demo");
                host.add("kafka", kafka);
                narrator.say("embedded Kafka broker up: %s", kafka.description());
                List<PostgresCluster.NodeSpec> nodes = cluster.nodes().stream()
                        .sorted(Comparator.comparing((NodeConfig node) -> node.role() != NodeConfig.Role.PRIMARY))
                        .map(node -> new PostgresCluster.NodeSpec(node.name(), node.port())).toList();
                PostgresCluster pg = PostgresCluster.start(plan.cluster(), nodes);
                host.add("postgresql", pg);
                narrator.say("PostgreSQL up: primary %s, replica %s streaming (data in %s)", pg.primary(), pg.replica(0),
                        pg.primary().dataDir().getParent());
                Mailbox mailbox = Mailbox.start(mailReceiver.smtp().host(), mailReceiver.smtp().port(),
                        workDir.resolve("outbox"));
                host.add("smtp server", mailbox);
                narrator.say("SMTP server up on %s:%d for receiver %s; emails are saved to %s", mailReceiver.smtp().host(),
                        mailReceiver.smtp().port(), mailReceiver.name(), mailbox.outbox());

                kafka.ensureTopics(ServiceCommand.topicsOf(List.of(Services.INGEST, Services.DETECT, Services.act(status), Services.FAILOVER)));
                ServiceContext context = new ServiceContext(config, kafka.clientProperties(), Clock.systemUTC(), kafka.embeddedStateDir());
                host.add("ingest", Services.INGEST.starter().start(context));
                host.add("detect", Services.DETECT.starter().start(context));
                NotifyService actuator = new NotifyService(config, kafka.clientProperties(), Clock.systemUTC(),
                        NotifyOptions.defaults().withMetrics(status.host(), status.port()), context.health()).start();
                host.add("act", actuator);
                host.add("failover", Services.FAILOVER.starter().start(context));
                context.health().started();
                DemoEvents events = new DemoEvents(kafka.clientProperties(), narrator, logReceivers(config)).start();
                host.add("narration", events);
                String where = "0.0.0.0".equals(status.host()) ? "127.0.0.1" : status.host();
                narrator.say("drpilot running: status page http://%s:%d/  metrics http://%s:%d/metrics", where, actuator.metricsPort(),
                        where, actuator.metricsPort());

                DemoScenarios play = new DemoScenarios(config, plan, pg, events, mailbox, narrator, Clock.systemUTC());
                scenarios = new Thread(() -> play(play, narrator, host, exitCode, where + ":" + actuator.metricsPort()), "drpilot-demo-scenarios");
                scenarios.setDaemon(true);
                // Closed first on the way out: the scenarios stop before what they use does.
                host.add("scenarios", () -> {
                    if (Thread.currentThread() != scenarios) {
                        scenarios.interrupt();
                        scenarios.join(5_000);
                    }
                });
            }
            scenarios.start();
            host.runUntilShutdown("the demo's embedded broker");
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyStopping) {
                // the JVM is exiting: the hook is what stopped us
            }
        }
        return exitCode.get();
    }

    private void play(DemoScenarios play, Narrator narrator, ServiceHost host, AtomicInteger exitCode, String status) {
        try {
            play.play();
            narrator.say("the status page http://%s/ and http://%s/metrics show what happened", status, status);
        } catch (DemoScenarios.ScenarioFailed e) {
            exitCode.set(ExitCodes.FAILED);
            narrator.say("DEMO FAILED: %s (details: %s)", e.getMessage(), workDir.resolve("drpilot.log"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            exitCode.set(ExitCodes.FAILED);
            narrator.say("DEMO FAILED: %s (details: %s)", e, workDir.resolve("drpilot.log"));
            log.error("demo scenarios failed", e);
        }
        if (exitWhenDone) {
            host.close();
        } else {
            narrator.say("press Ctrl-C to stop the demo (everything it started is stopped and removed)");
        }
    }

    private DrpilotConfig loadConfig() throws IOException {
        if (configFile != null) {
            return ConfigLoader.load(configFile);
        }
        try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("the built-in demo configuration " + BUILT_IN + " is missing from the distribution");
            }
            return ConfigLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), BUILT_IN, System::getenv);
        }
    }

    /**
     * What the scenarios need of the plan, each requirement named by its key: one cluster on this
     * machine with a primary and a replica, a component with an RPO for the backups, the ingest API
     * on a known port, and an email receiver on this machine.
     */
    static DemoScenarios.Plan plan(DrpilotConfig config) {
        if (config.clusters().size() != 1) {
            throw new UsageException("the demo plays one cluster: clusters has " + config.clusters().size());
        }
        ClusterConfig cluster = config.clusters().values().iterator().next();
        long primaries = cluster.nodes().stream().filter(node -> node.role() == NodeConfig.Role.PRIMARY).count();
        if (primaries != 1 || cluster.nodes().size() < 2) {
            throw new UsageException("clusters." + cluster.name() + ".nodes: the demo needs one node with role primary and at least one replica");
        }
        for (NodeConfig node : cluster.nodes()) {
            if (!Set.of("127.0.0.1", "localhost").contains(node.host()) || node.port() == 0) {
                throw new UsageException("clusters." + cluster.name() + ".nodes[" + node.name() + "]: the demo starts its servers on this"
                        + " machine, so host must be 127.0.0.1 and port a fixed port (is " + node.host() + ":" + node.port() + ")");
            }
        }
        Component backups = config.components().stream().filter(c -> c.rpo().isPresent() && !c.name().equals(cluster.component()))
                .findFirst().orElseThrow(() -> new UsageException("components: the demo needs a component with an rpo besides "
                        + cluster.component() + ", for its backups"));
        if (!config.ingestApi().enabled() || config.ingestApi().port() == 0) {
            throw new UsageException("ingestApi: the demo reports backups through the ingest API: enable it on a fixed port");
        }
        String host = "0.0.0.0".equals(config.ingestApi().bind()) ? "127.0.0.1" : config.ingestApi().bind();
        return new DemoScenarios.Plan(cluster.name(), cluster.component(), backups.name(),
                URI.create("http://" + host + ":" + config.ingestApi().port()));
    }

    private static EmailReceiver emailReceiver(DrpilotConfig config) {
        return config.receivers().stream()
                .filter(EmailReceiver.class::isInstance).map(EmailReceiver.class::cast)
                .filter(email -> Set.of("127.0.0.1", "localhost").contains(email.smtp().host()))
                .findFirst().orElseThrow(() -> new UsageException("receivers: the demo needs an email receiver whose smtp.host is 127.0.0.1"
                        + " (it runs that SMTP server itself)"));
    }

    /** Receivers that only write to drpilot's log: their deliveries are not worth a line of the story. */
    private static Set<String> logReceivers(DrpilotConfig config) {
        return config.receivers().stream().filter(LogReceiver.class::isInstance).map(Receiver::name).collect(Collectors.toSet());
    }

    /** Empties the work dir and sends the whole log there; the console keeps the narration (and errors, unless --verbose shows all). */
    private void prepareWorkDir() throws IOException {
        deleteTree(workDir.resolve("outbox"));
        Files.createDirectories(workDir);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);   // logback's Logger: slf4j's Logger is imported
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName("DEMO-FILE");
        file.setFile(workDir.resolve("drpilot.log").toString());
        file.setAppend(false);
        file.setEncoder(encoder);
        file.start();
        root.addAppender(file);
        if (!verbose) {
            Appender<ILoggingEvent> console = root.getAppender("CONSOLE");
            if (console != null) {
                ThresholdFilter errorsOnly = new ThresholdFilter();
                errorsOnly.setLevel(Level.ERROR.levelStr);
                errorsOnly.start();
                console.addFilter(errorsOnly);
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}

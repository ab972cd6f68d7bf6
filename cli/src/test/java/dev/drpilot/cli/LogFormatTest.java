package dev.drpilot.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The distribution's logback.xml, as the drpilot command loads it, in each DRPILOT_LOG_FORMAT. */
class LogFormatTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        System.clearProperty("DRPILOT_LOG_FORMAT");
        MDC.clear();
    }

    @Test
    void jsonIsOneObjectPerLineWithTheMdcFields() throws Exception {
        Logger log = logger("json");
        MDC.put("receiver", "oncall-pagerduty");
        MDC.put("fingerprint", "5f2c9e1a");
        log.warn("delivery failed: HTTP 503; retry 1 of 22 in 1000 ms");

        String output = err.toString(StandardCharsets.UTF_8).strip();
        assertThat(output.lines()).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(output);
        assertThat(line.path("level").asText()).isEqualTo("WARN");
        assertThat(line.path("loggerName").asText()).isEqualTo("dev.drpilot.notify.delivery.ReceiverWorker");
        assertThat(line.path("message").asText()).isEqualTo("delivery failed: HTTP 503; retry 1 of 22 in 1000 ms");
        assertThat(line.path("mdc").path("receiver").asText()).isEqualTo("oncall-pagerduty");
        assertThat(line.path("mdc").path("fingerprint").asText()).isEqualTo("5f2c9e1a");
        assertThat(line.path("timestamp").asLong()).isPositive();
    }

    @Test
    void textIsTheDefaultForPeople() throws Exception {
        System.clearProperty("DRPILOT_LOG_FORMAT");
        Logger log = logger(null);
        log.info("failover of orders: promoted pg-2");

        assertThat(err.toString(StandardCharsets.UTF_8))
                .matches("(?s)\\d{4}-\\d\\d-\\d\\dT[^ ]+ INFO  \\[[^]]+] d\\.d\\.n\\.delivery\\.ReceiverWorker - failover of orders: promoted pg-2\\R");
    }

    @Test
    void onlyTheAppendersOfLogbackXmlAreFormats() {
        assertThat(Main.LOG_FORMATS).containsExactlyInAnyOrder("text", "json");
    }

    /** The configured logger, its console appender writing into {@code err} (Logback holds the JVM's own stderr). */
    private Logger logger(String format) throws Exception {
        if (format != null) {
            System.setProperty("DRPILOT_LOG_FORMAT", format);
        }
        LoggerContext context = new LoggerContext();
        // The MDC that org.slf4j.MDC writes to: the one of the JVM's own Logback.
        context.setMDCAdapter(((LoggerContext) LoggerFactory.getILoggerFactory()).getMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        URL config = Main.class.getResource("/logback.xml");
        configurator.doConfigure(config);
        context.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(appenders::add);
        assertThat(appenders).singleElement().isInstanceOf(ConsoleAppender.class);
        ((ConsoleAppender<ILoggingEvent>) appenders.get(0)).setOutputStream(err);
        return context.getLogger("dev.drpilot.notify.delivery.ReceiverWorker");
    }
}

package dev.drpilot.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The slack, teams and opsgenie receivers: what each needs, named by key when missing or wrong; secrets never printed. */
class ChatReceiversConfigTest {
    private static final Map<String, String> ENV = Map.of("HOOK", "https://hooks.slack.com/services/T0/B0/XyZ", "TOKEN", "xoxb-1-2-abc",
            "TEAMS", "https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t", "GENIE", "key-123",
            "NOT_A_URL", "hooks.slack.com/services/T0/B0/XyZ");

    private static DrpilotConfig parse(String receivers) {
        return ConfigLoader.parse("receivers:\n" + receivers, "test.yaml", ENV::get);
    }

    @Test
    void eachKindBindsWithItsDefaults() {
        DrpilotConfig config = parse("""
                  - {name: hook, type: slack, webhookUrl: "${HOOK}"}
                  - {name: bot, type: slack, token: "${TOKEN}", channel: C0ONCALL}
                  - {name: teams, type: teams, webhookUrl: "${TEAMS}"}
                  - {name: genie, type: opsgenie, apiKey: "${GENIE}", url: "https://api.eu.opsgenie.com/", responders: [dba, sre]}
                """);
        List<Receiver> receivers = config.receivers();
        assertThat(receivers.get(0)).isInstanceOfSatisfying(SlackReceiver.class, slack -> {
            assertThat(slack.webhookUrl().orElseThrow().reveal()).isEqualTo(ENV.get("HOOK"));
            assertThat(slack.token()).isEmpty();
        });
        assertThat(receivers.get(1)).isInstanceOfSatisfying(SlackReceiver.class, slack -> {
            assertThat(slack.channel()).contains("C0ONCALL");
            assertThat(slack.apiUrl()).isEqualTo("https://slack.com/api/chat.postMessage");
        });
        assertThat(receivers.get(2)).isInstanceOf(TeamsReceiver.class);
        assertThat(receivers.get(3)).isInstanceOfSatisfying(OpsgenieReceiver.class, genie -> {
            assertThat(genie.url()).isEqualTo("https://api.eu.opsgenie.com");
            assertThat(genie.responders()).containsExactly("dba", "sre");
        });
        assertThat(receivers.toString()).doesNotContain("XyZ", "xoxb-1-2-abc", "s3cr3t", "key-123");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{name: s, type: slack}                                                  | receivers[0].webhookUrl: missing",
            "{name: s, type: slack, webhookUrl: '${HOOK}', token: '${TOKEN}'}        | receivers[0].token: give webhookUrl or token, not both",
            "{name: s, type: slack, token: '${TOKEN}'}                               | receivers[0].channel: missing",
            "{name: s, type: slack, webhookUrl: '${HOOK}', channel: C1}              | receivers[0].channel: an incoming webhook posts to the channel",
            "{name: s, type: slack, webhookUrl: '${NOT_A_URL}'}                      | receivers[0].webhookUrl: is not an http:// or https:// URL (value hidden",
            "{name: t, type: teams}                                                  | receivers[0].webhookUrl: missing",
            "{name: o, type: opsgenie}                                               | receivers[0].apiKey: missing",
            "{name: o, type: opsgenie, apiKey: '${GENIE}', url: ftp://x}             | receivers[0].url: \"ftp://x\" is not an http:// or https:// URL",
    })
    void aProblemIsNamedByItsKey(String receiver, String problem) {
        assertThatThrownBy(() -> parse("  - " + receiver + "\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(problem).satisfies(e -> assertThat(e.getMessage()).doesNotContain("hooks.slack.com"));
    }
}

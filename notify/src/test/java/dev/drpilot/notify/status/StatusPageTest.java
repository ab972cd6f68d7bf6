package dev.drpilot.notify.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.notify.topology.LiveTopology;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;

import static dev.drpilot.notify.TestObservations.failoverSummary;
import static dev.drpilot.notify.TestObservations.lag;
import static org.assertj.core.api.Assertions.assertThat;

class StatusPageTest {
    private static final String EVIL = "<script>alert('x')</script>&\"";

    @Test
    void escapesMarkupInTextAndAttributes() {
        assertThat(Html.escape(EVIL)).isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
        assertThat(Html.escape(null)).isEmpty();
        assertThat(Html.escape("orders-db · pg-1 → pg-2")).isEqualTo("orders-db · pg-1 → pg-2");
    }

    @Test
    void onlyHttpLinksAreLinks() {
        assertThat(Html.safeLink("https://runbooks.example.com/a?b=c&d")).isEqualTo("https://runbooks.example.com/a?b=c&d");
        assertThat(Html.safeLink(" HTTP://wiki/x ")).isEqualTo("HTTP://wiki/x");
        assertThat(Html.safeLink("javascript:alert(1)")).isNull();
        assertThat(Html.safeLink(" JavaScript:alert(1)")).isNull();
        assertThat(Html.safeLink("data:text/html,<script>")).isNull();
        assertThat(Html.safeLink(null)).isNull();
    }

    @Test
    void everythingFromConfigurationAndEventsIsEscapedInThePage() {
        StatusBoard board = new StatusBoard(ConfigLoader.parse("""
                components:
                  - {name: "orders<b>db", kind: database}
                """, "test", name -> null), Clock.fixed(TestAlerts.STARTS_AT.plusSeconds(60), ZoneOffset.UTC), cluster -> Duration.ofMinutes(5));
        board.accept(TestAlerts.firing("orders", Severity.CRITICAL).setComponent("orders<b>db").setRule(EVIL)
                .setAnnotations(Map.of("summary", EVIL, "runbook_url", "https://runbooks.example.com/lag?a=1&b=\"2\"")).build());
        board.accept(failoverSummary(EVIL, "orders", "<img src=x>", ActionStatus.FAILED, Map.of("oldPrimary", EVIL),
                TestAlerts.STARTS_AT));

        String html = StatusPage.render(board.snapshot());

        assertThat(html).doesNotContain("<script>alert", "<b>db", "<img src=x>")
                .contains("<strong>orders&lt;b&gt;db</strong>")
                .contains("data-component=\"orders&lt;b&gt;db\"")
                .contains("<td class=\"summary\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;</td>")
                .contains("<a href=\"https://runbooks.example.com/lag?a=1&amp;b=&quot;2&quot;\" rel=\"noopener noreferrer\" target=\"_blank\">runbook</a>")
                .contains("data-incident=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\"")
                // An outcome from an event becomes a class token, not an attribute break-out.
                .contains("class=\"failover outcome--img-src-x-\"")
                .contains("primary &lt;script&gt;")
                .contains("<script src=\"status/status.js\"></script>");
        // Outside of the escaped texts, the only script is the page's own.
        assertThat(html.split("<script", -1)).hasSize(2);
    }

    @Test
    void rendersEachSectionFromTheSnapshot() throws Exception {
        StatusBoard board = new StatusBoard(StatusBoardTest.CONFIG, Clock.fixed(TestAlerts.STARTS_AT.plusSeconds(60), ZoneOffset.UTC),
                cluster -> Duration.ofMinutes(5));
        board.accept(lag("pg-2", 95.0, 1L << 20, TestAlerts.STARTS_AT));
        board.accept(TestAlerts.firing("orders", Severity.CRITICAL).build());
        StatusSnapshot snapshot = board.snapshot();

        String html = StatusPage.render(snapshot);

        assertThat(html).contains("<tr class=\"component state-critical\" data-component=\"orders-db\">")
                .contains("<td class=\"rto\">15 min</td><td class=\"rpo\">5 min</td>")
                .contains("<div class=\"replica\" data-node=\"pg-2\">pg-2: 95.0 s / 1.0 MiB</div>")
                .contains("<tr class=\"component state-unknown\" data-component=\"orders-app\">")
                .contains("<tr class=\"alert sev-critical\" data-fingerprint=\"replication-lag/cluster=orders/component=orders-db/node=pg-2\">")
                .contains("<span id=\"alert-count\" class=\"count\">1</span>")
                .contains("no failovers in the past 7 days")
                .contains("last updated <span id=\"updated\">2026-11-24 03:01:00Z</span>");

        // The JSON the page polls is the same snapshot.
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsBytes(snapshot));
        assertThat(json.at("/components/0/state").asText()).isEqualTo("critical");
        assertThat(json.at("/components/0/rpoSeconds").asLong()).isEqualTo(300);
        assertThat(json.at("/components/0/replicas/0/lagBytes").asLong()).isEqualTo(1L << 20);
        assertThat(json.at("/alerts/0/runbookUrl").asText()).isEqualTo("https://runbooks.example.com/replication-lag");
        assertThat(json.at("/generatedAt").asText()).isEqualTo("2026-11-24T03:01:00Z");
    }

    @Test
    void theTopologySectionShowsLiveRolesAndEscapesWhatEventsName() throws Exception {
        LiveTopology topology = new LiveTopology(StatusBoardTest.CONFIG);
        StatusBoard board = new StatusBoard(StatusBoardTest.CONFIG, Clock.fixed(TestAlerts.STARTS_AT.plusSeconds(60), ZoneOffset.UTC),
                cluster -> Duration.ofMinutes(5), topology);
        topology.accept(failoverSummary("inc-<1>", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED,
                Map.of("oldPrimary", "pg-1", "newPrimary", "pg-2"), TestAlerts.STARTS_AT));
        topology.accept(ReplicationObservation.newBuilder(lag("<pg-9>", 0.0, 0L, TestAlerts.STARTS_AT.plusSeconds(5))).setPrimaryNode("pg-2")
                .setInRecovery(true).setTimeline(2L).setUpstream("pg-2").build());
        StatusSnapshot snapshot = board.snapshot();

        String html = StatusPage.render(snapshot);

        assertThat(html).contains("<h2>Topology</h2>")
                .contains("<article class=\"cluster-topology\" data-cluster=\"orders\"><h3>cluster orders</h3>")
                .contains("<tr class=\"node role-down\" data-node=\"pg-1\">")
                .contains("<td class=\"note\">configured primary; replaced by pg-2 at 2026-11-24 03:00:00Z (failover inc-&lt;1&gt;)</td>")
                .contains("<tr class=\"node role-primary\" data-node=\"pg-2\">")
                .contains("<tr class=\"node role-replica\" data-node=\"&lt;pg-9&gt;\"><td class=\"node-name\">&lt;pg-9&gt;</td>")
                .contains("<td class=\"timeline\">2</td><td class=\"upstream\">pg-2</td><td class=\"node-lag\">0.0 s / 0 B</td>")
                .doesNotContain("<pg-9>", "inc-<1>");
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsBytes(snapshot));
        assertThat(json.at("/topology/0/primaries/0").asText()).isEqualTo("pg-2");
        assertThat(json.at("/topology/0/nodes/1/role").asText()).isEqualTo("primary");
        assertThat(json.at("/components/0/nodes/1").asText()).isEqualTo("pg-2 (primary)");
    }
}

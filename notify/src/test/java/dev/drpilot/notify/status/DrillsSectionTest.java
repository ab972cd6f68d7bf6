package dev.drpilot.notify.status;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static dev.drpilot.notify.TestObservations.drillSummary;
import static org.assertj.core.api.Assertions.assertThat;

class DrillsSectionTest {
    private static final Instant NOW = Instant.parse("2026-12-01T03:10:00Z");
    private static final DrpilotConfig CONFIG = ConfigLoader.parse("""
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes: [{name: pg-1, role: primary, host: 10.0.0.1}, {name: pg-2, host: 10.0.0.2}]
            drills:
              plans:
                - {name: monthly, kind: switchover, cluster: orders, schedule: "0 3 1 * *"}
                - {name: dry-run, kind: failover-dry-run, cluster: orders}
            """, "test", name -> null);

    @Test
    void eachDrillShowsItsLastRunAndWhenItIsNextDue() {
        DrillsSection section = new DrillsSection(CONFIG);
        section.accept(drillSummary("monthly", "drill-monthly-1", "PASSED", NOW.minusSeconds(540), Map.of("rtoMillis", "2279", "rpoMillis", "0")));
        String html = section.html(NOW);
        assertThat(html).contains("<h2>Drills</h2>", "<table id=\"drills\">",
                "<tr class=\"drill outcome-passed\" data-drill=\"monthly\">", "<td class=\"kind\">switchover</td>",
                "<span class=\"badge\">PASSED</span>", "<td class=\"next\">2027-01-01 03:00:00Z (0 3 1 * *)</td>");
        assertThat(html).contains("<tr class=\"drill outcome-never-run\" data-drill=\"dry-run\">", "<td class=\"next\">by hand only</td>");
    }

    @Test
    void thePageCarriesTheSectionAfterTheFailovers() {
        StatusBoard board = new StatusBoard(CONFIG, Clock.fixed(NOW, ZoneOffset.UTC), cluster -> Duration.ofMinutes(1));
        String page = StatusPage.render(board.snapshot(), board.drillsSection());
        assertThat(page.indexOf("<h2>Drills</h2>")).isGreaterThan(page.indexOf("<h2>Failovers</h2>"));
        assertThat(page).contains("data-drill=\"monthly\"").endsWith("</section>\n</main>\n<script src=\"status/status.js\"></script>\n</body>\n</html>\n");
    }
}

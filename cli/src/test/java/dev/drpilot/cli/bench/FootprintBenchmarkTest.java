package dev.drpilot.cli.bench;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the footprint benchmark reads and writes: its configuration loads, its GC log parsing finds every pause. */
class FootprintBenchmarkTest {
    @Test
    void itsConfigurationIsOneThatDrpilotAccepts(@TempDir Path dir) {
        DrpilotConfig config = ConfigLoader.parse(FootprintBenchmark.config(3, null, dir.resolve("kafka"), 19092), "bench", env -> null);
        assertThat(config.components()).hasSize(3);
        assertThat(config.kafka().partitions()).isEqualTo(1);   // the embedded broker's default
        assertThat(ConfigLoader.parse(FootprintBenchmark.config(2, 6, dir.resolve("kafka"), 19092), "bench", env -> null).kafka().partitions())
                .isEqualTo(6);
    }

    @Test
    void readsEveryPauseAndTheHeapAfterItFromAG1Log(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("gc.log"), """
                [0.106s] Using G1
                [5.422s] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 7M->5M(66M) 123.796ms
                [61.500s] GC(7) Pause Remark 80M->79M(185M) 3.104ms
                [61.700s] GC(7) Pause Cleanup 79M->79M(185M) 0.120ms
                [300.010s] GC(40) Pause Young (Prepare Mixed) (G1 Evacuation Pause) 120M->60M(185M) 12.5ms
                """);
        assertThat(FootprintBenchmark.pauses(log)).containsExactly(0.12, 3.104, 12.5, 123.796);
        assertThat(FootprintBenchmark.heapAfterGc(log)).extracting(point -> point[1]).containsExactly(5L, 79L, 79L, 60L);
        assertThat(FootprintBenchmark.heapAfterGc(log).get(3)[0]).isEqualTo(300L);
    }

    @Test
    void comparesTheFirstQuarterWithTheLast() {
        assertThat(FootprintBenchmark.quarters(List.of(10L, 12L, 11L, 13L, 20L, 21L, 40L, 42L), " MiB", 1)).isEqualTo("12 → 42 MiB");
        assertThat(FootprintBenchmark.quarters(List.of(1L, 2L), "", 1)).isEqualTo("n/a");
        assertThat(FootprintBenchmark.percentile(List.of(1.0, 2.0, 3.0, 4.0), 50)).isEqualTo(2.0);
    }

    @Test
    void refusesAnUnknownOptionNamingIt() {
        assertThatThrownBy(() -> FootprintBenchmark.Options.parse(new String[] {"--minute", "3"})).hasMessageContaining("--minute");
        assertThatThrownBy(() -> FootprintBenchmark.Options.parse(new String[] {"--speed", "0"})).hasMessageContaining("--speed");
        assertThat(FootprintBenchmark.Options.parse(new String[] {"--speed", "50", "--components", "100"}).speed()).isEqualTo(50);
    }
}

package dev.drpilot.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartedResourcesTest {
    @Test
    void stopsTheLastStartedFirst() {
        List<String> stopped = new ArrayList<>();
        StartedResources started = new StartedResources("notify");
        started.add(() -> stopped.add("producer"));
        started.add(() -> stopped.add("worker"));
        started.add(() -> stopped.add("metrics server"));

        started.close();

        assertThat(stopped).containsExactly("metrics server", "worker", "producer");
    }

    @Test
    void stopsEveryOneEvenWhenSomeFailAndNamesEveryFailure() {
        List<String> stopped = new ArrayList<>();
        StartedResources started = new StartedResources("failover service");
        started.add(() -> stopped.add("audit log"));
        started.add(() -> {
            throw new IllegalStateException("cloud clients stuck");
        });
        started.add(() -> {
            throw new IOException("loop did not stop within 90 s");
        });

        assertThatThrownBy(started::close).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("failover service did not stop cleanly: ")
                .hasMessageContaining("cloud clients stuck").hasMessageContaining("loop did not stop within 90 s");
        assertThat(stopped).containsExactly("audit log");
    }

    @Test
    void closingTwiceStopsNothingTwice() {
        List<String> stopped = new ArrayList<>();
        StartedResources started = new StartedResources("notify");
        started.add(() -> stopped.add("producer"));

        started.close();
        started.close();

        assertThat(stopped).containsExactly("producer");
    }
}

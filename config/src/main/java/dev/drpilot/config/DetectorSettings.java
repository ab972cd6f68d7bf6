package dev.drpilot.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The detectors' process ({@code drpilot detect}, and the detectors inside {@code drpilot run}).
 *
 * @param stateDir Kafka Streams' {@code state.dir}: where the detectors keep their state stores between restarts (Kafka Streams
 *                 adds a directory per application id under it). Absent: {@link #stateDir(Optional)} picks a stable default.
 */
public record DetectorSettings(Optional<Path> stateDir) {
    /** The key, for messages that must tell the operator what to change. */
    public static final String STATE_DIR_KEY = "detector.stateDir";

    /**
     * The state directory to use: the configured one; else, beside an embedded broker's data ({@code <its stateDir>/streams}),
     * so that a broker whose data is thrown away takes the detectors' local state with it; else
     * {@code ${java.io.tmpdir}/drpilot-streams}. None depends on the process id: a restarted detector finds its stores
     * again instead of restoring them all from the changelogs (and leaving the old directory behind).
     */
    public Path stateDir(Optional<Path> embeddedBrokerDir) {
        return stateDir.or(() -> embeddedBrokerDir.map(dir -> dir.resolve("streams")))
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "drpilot-streams"));
    }

    static DetectorSettings bind(Section detector, KafkaSettings kafka) {
        Optional<Path> stateDir = detector.optionalString("stateDir").flatMap(text -> {
            try {
                return Optional.of(Path.of(text));
            } catch (InvalidPathException e) {
                detector.problems().add(detector.child("stateDir"), "not a valid path: " + e.getReason());
                return Optional.empty();
            }
        });
        stateDir.ifPresent(dir -> {
            Path broker = kafka.embedded().stateDir().toAbsolutePath().normalize();
            Path streams = dir.toAbsolutePath().normalize();
            if (streams.equals(broker) || broker.startsWith(streams)) {
                // Kafka Streams' cleanUp() and its clean-up of old task directories delete what they find there.
                detector.problems().add(detector.child("stateDir"), dir + " would hold the embedded broker's data (kafka.embedded.stateDir "
                        + kafka.embedded().stateDir() + "): give the detectors a directory of their own");
            }
        });
        detector.finish();
        return new DetectorSettings(stateDir);
    }
}

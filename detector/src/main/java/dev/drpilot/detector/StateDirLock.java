package dev.drpilot.detector;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One detector's hold on its Kafka Streams state directory, and what it knows of the state there.
 *
 * <p>Kafka Streams itself does not stop a second application instance from using the same {@code state.dir}: the second
 * one's stream threads fail to open the RocksDB stores the first holds, are replaced, fail again, and the process looks
 * alive while it detects nothing. So the detector takes an exclusive file lock ({@code <stateDir>/<applicationId>.lock})
 * before it builds its application, and a second detector on the directory fails at once with a message that names the
 * directory and the key that moves it.
 *
 * <p>The state there was restored from the changelogs of one Kafka cluster. Kafka Streams trusts its checkpoints: on a
 * new cluster (an embedded broker whose data was thrown away, a rebuilt cluster) whose changelogs are shorter than
 * the checkpointed offsets, it takes the old stores as up to date and the detectors would go on with another cluster's
 * alerts. So the directory also remembers the cluster id ({@code <applicationId>.cluster-id}); state of another cluster
 * is wiped ({@link KafkaStreams#cleanUp()}) before the application starts, and restored from the new cluster.
 */
final class StateDirLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateDirLock.class);
    static final String KEY = "detector.stateDir";

    private final Path stateDir;
    private final String applicationId;
    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(Path stateDir, String applicationId, FileChannel channel, FileLock lock) {
        this.stateDir = stateDir;
        this.applicationId = applicationId;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the directory for {@code applicationId}, or fails naming it if another detector (in any process) holds it. */
    static StateDirLock acquire(Path stateDir, String applicationId) {
        Path dir = stateDir.toAbsolutePath().normalize();
        Path file = dir.resolve(applicationId + ".lock");
        FileChannel channel;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot use the detector's state directory " + dir + " (" + KEY + "): " + e, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;   // held by another detector of this process
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("cannot lock the detector's state directory " + dir + " (" + KEY + "): " + e, e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new IllegalStateException("the detector's state directory " + dir + " is in use by another detector (application "
                    + applicationId + ", lock " + file + "): two detectors cannot share their state; give each its own with " + KEY
                    + " in the configuration (drpilot run: or its own kafka.embedded.stateDir / --state-dir)");
        }
        return new StateDirLock(dir, applicationId, channel, lock);
    }

    /**
     * Before {@code streams} starts: if its local state came from another Kafka cluster than the one it connects to now,
     * wipes it (see the class comment); then records this cluster's id. Fails closed when the cluster id cannot be learnt.
     */
    void forgetStateOfAnotherCluster(KafkaStreams streams, Map<String, Object> kafkaClientProperties) {
        String clusterId = clusterId(kafkaClientProperties);
        Path file = stateDir.resolve(applicationId + ".cluster-id");
        try {
            Optional<String> known = Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
            if (known.isPresent() && !known.get().equals(clusterId)) {
                log.warn("detector state in {} was restored from Kafka cluster {}, now connected to {}: wiping it, the stores restore"
                        + " from this cluster's changelogs", stateDir, known.get(), clusterId);
                streams.cleanUp();
            }
            Files.writeString(file, clusterId, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the Kafka cluster id in " + file + " (" + KEY + ")", e);
        }
    }

    private static String clusterId(Map<String, Object> kafkaClientProperties) {
        try (Admin admin = Admin.create(kafkaClientProperties)) {
            return admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot learn the Kafka cluster's id, which the detector's state directory must match: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while learning the Kafka cluster's id", e);
        }
    }

    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
        } catch (IOException e) {
            log.warn("cannot release the lock on {}: {}", stateDir, e.toString());
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a lock file: {}", e.toString());
        }
    }
}

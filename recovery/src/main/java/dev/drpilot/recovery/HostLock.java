package dev.drpilot.recovery;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One restore at a time per host: restores compete for the same disk and I/O, and two at once
 * would make both durations meaningless against the RTO. A file lock, so the recovery service and
 * a {@code drpilot restore-check} by hand exclude each other; the kernel releases it when a process dies.
 */
final class HostLock implements AutoCloseable {
    static final Path DEFAULT = Path.of(System.getProperty("java.io.tmpdir"), "drpilot-restore-check.lock");

    private final FileChannel channel;
    private final FileLock lock;

    private HostLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty when another restore check on this host holds it. */
    static Optional<HostLock> tryAcquire(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new HostLock(channel, lock));
        } catch (OverlappingFileLockException e) {
            channel.close();
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}

package dev.drpilot.recovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Properties;

/**
 * A {@link Schedules.RunLog} in a small properties file ({@code job name = due time of its last run}), replaced atomically
 * on each run, so that a restarted service knows which run it missed. A file that cannot be read or written is logged
 * and treated as empty: the schedule then only waits for its next due time, as it would without a log.
 */
public final class RunLogFile implements Schedules.RunLog {
    private static final Logger LOG = LoggerFactory.getLogger(RunLogFile.class);

    private final Path file;
    private final Properties runs = new Properties();

    public RunLogFile(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                runs.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("the schedule's run log {} cannot be read, missed runs are not caught up: {}", file, e.toString());
            }
        }
    }

    @Override
    public synchronized Optional<Instant> lastDue(String job) {
        String text = runs.getProperty(job);
        try {
            return Optional.ofNullable(text).map(Instant::parse);
        } catch (DateTimeParseException e) {
            LOG.warn("the schedule's run log {} has no time for {}: {}", file, job, text);
            return Optional.empty();
        }
    }

    @Override
    public synchronized void ran(String job, Instant due) {
        runs.setProperty(job, due.toString());
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer writer = Files.newBufferedWriter(temporary)) {
                runs.store(writer, "drpilot: due time of each scheduled job's last run");
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("the schedule's run log {} cannot be written: {}", file, e.toString());
        }
    }
}

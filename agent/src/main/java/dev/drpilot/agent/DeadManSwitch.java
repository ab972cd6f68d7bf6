package dev.drpilot.agent;

import dev.drpilot.runtime.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A watchdog that does not need the agent's JVM to run: a small shell process the agent must keep petting while it
 * holds the lease. Each pet says how long until the child must act ("arm MILLIS"); when that time passes without a
 * pet — the JVM frozen (SIGSTOP, a GC pause beyond the lease, a swap storm) — or the pipe closes while armed (the JVM
 * killed), the child stops PostgreSQL with {@code pg_ctl -m immediate} and, failing that, kills the postmaster and its
 * processes. "disarm" (the node is no longer primary, or the agent fences by itself, or it stops cleanly) puts it back
 * to waiting without a deadline.
 *
 * <p>It is Patroni's watchdog without the kernel device: it survives the JVM, not the machine, and it shares the
 * agent's process group, so freezing the whole group (Ctrl-Z in a terminal, a cgroup freezer) freezes it too — then
 * no process on the host acts, and only the lease's expiry protects the new primary (docs/agent.md says so).
 */
final class DeadManSwitch implements Worker, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeadManSwitch.class);

    // $1: the data directory; $2: "demote" to write standby.signal first; the rest: the pg_ctl stop command.
    // read -t takes fractional seconds.
    static final String SCRIPT = """
            datadir=$1; method=$2; shift 2
            deadline=""
            fence() {
              echo "drpilot dead-man switch: no pet in time, stopping PostgreSQL in $datadir" >&2
              if [ "$method" = demote ]; then : > "$datadir/standby.signal"; fi
              "$@" && exit 0
              pid=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null)
              if [ -n "$pid" ]; then pkill -KILL -P "$pid"; kill -KILL "$pid"; fi
              exit 0
            }
            while :; do
              if [ -n "$deadline" ]; then IFS= read -r -t "$deadline" line; rc=$?; else IFS= read -r line; rc=$?; fi
              if [ $rc -ne 0 ]; then
                if [ -n "$deadline" ]; then fence "$@"; fi
                exit 0
              fi
              case "$line" in
                disarm) deadline="" ;;
                arm\\ *) deadline=${line#arm } ;;
                quit) exit 0 ;;
              esac
            done
            """;

    private final Process process;
    private final OutputStream pets;
    private volatile boolean armed;
    private volatile boolean closed;

    private DeadManSwitch(Process process) {
        this.process = process;
        this.pets = process.getOutputStream();
    }

    /**
     * Starts the child; {@code stopCommand} is the full pg_ctl stop command line (with its user switch). With
     * {@code writeStandbySignal} it writes standby.signal before the stop, so that whoever starts the server next
     * starts a standby (it does not start it itself: a process that outlived its agent should do the least).
     */
    static DeadManSwitch start(Path dataDir, boolean writeStandbySignal, List<String> stopCommand, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", SCRIPT, "drpilot-dead-man", dataDir.toString(),
                writeStandbySignal ? "demote" : "stop"));
        command.addAll(stopCommand);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new DeadManSwitch(process);
    }

    /** The child must act if no other pet comes within {@code millis}. */
    synchronized void arm(long millis) {
        armed = true;
        send("arm " + Math.max(0, millis) / 1000 + "." + String.format("%03d", Math.max(0, millis) % 1000));
    }

    synchronized void disarm() {
        if (armed) {
            armed = false;
            send("disarm");
        }
    }

    boolean armed() {
        return armed;
    }

    private void send(String line) {
        try {
            pets.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            pets.flush();
        } catch (IOException e) {
            // The child is gone: alive() turns false and the health endpoint says so.
            log.error("dead-man switch: cannot pet it ({}); it is {}", e.getMessage(), process.isAlive() ? "alive" : "gone");
        }
    }

    @Override
    public String name() {
        return "agent-dead-man-switch";
    }

    @Override
    public boolean alive() {
        return closed || process.isAlive();
    }

    @Override
    public Optional<Throwable> failure() {
        return process.isAlive() || closed ? Optional.empty()
                : Optional.of(new IllegalStateException("the dead-man switch exited with " + process.exitValue()));
    }

    /** A clean stop: disarm first, so the child exits without stopping PostgreSQL. */
    @Override
    public synchronized void close() {
        closed = true;
        armed = false;
        send("quit");
        try {
            pets.close();
        } catch (IOException e) {
            log.debug("dead-man switch pipe: {}", e.getMessage());
        }
    }
}

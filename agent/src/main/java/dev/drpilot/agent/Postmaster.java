package dev.drpilot.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The postmaster of a data directory as the host sees it: the pid in {@code postmaster.pid}, whether that process
 * exists, and whether it is stopped (SIGSTOP, a debugger, a frozen cgroup: state {@code T} in /proc). Cheap enough to
 * read every check.
 */
final class Postmaster {
    enum Process { NO_PID_FILE, GONE, RUNNING, STOPPED }

    record Seen(Process process, OptionalLong pid) {
        /** The process no longer exists (or never started): the server is down, not merely slow. */
        boolean down() {
            return process == Process.NO_PID_FILE || process == Process.GONE;
        }
    }

    private final Path dataDir;

    Postmaster(Path dataDir) {
        this.dataDir = dataDir;
    }

    Seen look() {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return new Seen(Process.NO_PID_FILE, pid);
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive);
        char state = state(pid.getAsLong());
        // A killed postmaster stays a zombie until its parent (often init, which may be slow to reap) collects it;
        // it takes no connections and no writes: gone.
        if (handle.isEmpty() || state == 'Z' || state == 'X') {
            return new Seen(Process.GONE, pid);
        }
        return new Seen(state == 'T' || state == 't' ? Process.STOPPED : Process.RUNNING, pid);
    }

    OptionalLong pid() {
        Path file = dataDir.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            // Missing, or caught half-written by a starting server: no postmaster to speak of yet.
            return OptionalLong.empty();
        }
    }

    /** The postmaster and every process below it, children first: what a hard stop must kill. */
    List<ProcessHandle> tree(long pid) {
        Optional<ProcessHandle> root = ProcessHandle.of(pid);
        if (root.isEmpty()) {
            return List.of();
        }
        List<ProcessHandle> all = new ArrayList<>(root.get().descendants().toList());
        all.add(root.get());
        return all;
    }

    /**
     * The process state letter of /proc/PID/stat: R, S, D running or sleeping; T stopped (SIGSTOP), t traced; Z zombie;
     * '?' where there is no /proc (the process table alone then decides).
     */
    static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name is in parentheses and may contain spaces: the state is the first field after ")".
            int close = stat.lastIndexOf(')');
            return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        } catch (IOException e) {
            return '?';
        }
    }
}

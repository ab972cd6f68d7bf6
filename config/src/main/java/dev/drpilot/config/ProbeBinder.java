package dev.drpilot.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Binds what the collectors poll: health probes and backup sources. */
final class ProbeBinder {
    private final Section top;

    ProbeBinder(Section top) {
        this.top = top;
    }

    List<Probe> probes() {
        List<Probe> probes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section item : top.list("probes")) {
            String name = item.required("name");
            Probe.Kind kind = item.enumValue("kind", Probe.Kind.class, null);
            boolean database = kind == Probe.Kind.POSTGRES;
            Duration interval = item.duration("interval", database ? Duration.ofSeconds(2) : Duration.ofSeconds(10));
            Duration timeout = item.duration("timeout", database ? Duration.ofSeconds(1) : Duration.ofSeconds(2));
            Probe probe = new Probe(name, kind == null ? Probe.Kind.TCP : kind, item.required("component"),
                    item.optionalString("cluster"), item.optionalString("node"), interval, timeout,
                    item.optionalString("url"), item.integer("expectStatus", 200, 100, 599),
                    item.optionalString("host"), item.has("port") ? Optional.of(item.integer("port", 0, 1, 65535)) : Optional.empty(),
                    item.optionalString("dnsName"), item.optionalString("expect"));
            item.finish();
            item.requireUniqueName(names, name, "probe");
            if (interval != null && timeout != null && timeout.compareTo(interval) >= 0) {
                item.problems().add(item.child("timeout"), Durations.format(timeout) + " must be shorter than the interval ("
                        + Durations.format(interval) + "), or a hung target would stack probes up");
            }
            if (kind != null) {
                checkTarget(item, probe);
            }
            probes.add(probe);
        }
        return probes;
    }

    private static void checkTarget(Section item, Probe probe) {
        switch (probe.kind()) {
            case POSTGRES -> {
                if (probe.cluster().isEmpty()) {
                    item.problems().add(item.child("cluster"), "a postgres probe names the cluster of its node");
                }
                if (probe.node().isEmpty()) {
                    item.problems().add(item.child("node"), "a postgres probe names the node it checks");
                }
            }
            case TCP -> {
                if (probe.host().isEmpty()) {
                    item.problems().add(item.child("host"), "a tcp probe needs a host");
                }
                if (probe.port().isEmpty()) {
                    item.problems().add(item.child("port"), "a tcp probe needs a port");
                }
            }
            case HTTP -> {
                if (probe.url().isEmpty()) {
                    item.problems().add(item.child("url"), "an http probe needs a url");
                } else if (!isHttpUrl(probe.url().get())) {
                    item.problems().add(item.child("url"), "\"" + probe.url().get() + "\" is not an http:// or https:// URL");
                }
            }
            case DNS -> {
                if (probe.dnsName().isEmpty()) {
                    item.problems().add(item.child("dnsName"), "a dns probe needs the name to resolve");
                }
            }
        }
    }

    static boolean isHttpUrl(String text) {
        try {
            URI uri = URI.create(text);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    List<BackupSource> backups() {
        List<BackupSource> backups = new ArrayList<>();
        for (Section item : top.list("backups")) {
            String component = item.required("component");
            BackupSource.Tool tool = item.enumValue("tool", BackupSource.Tool.class, null);
            Optional<String> command = item.optionalString("command");
            Optional<String> stanza = item.optionalString("stanza");
            Optional<RestoreCheckSettings> restoreCheck = item.has("restoreCheck")
                    ? Optional.of(RestoreCheckBinder.bind(item.section("restoreCheck"), component)) : Optional.empty();
            BackupSource backup = new BackupSource(component, tool == null ? BackupSource.Tool.REPORT_ONLY : tool,
                    command.or(() -> tool == null ? Optional.empty() : tool.defaultCommand()), stanza,
                    item.duration("interval", Duration.ofMinutes(5)), item.duration("timeout", Duration.ofSeconds(60)), restoreCheck,
                    item.optionalString("archiveCheck"));
            item.finish();
            if (backup.archiveCheck().isPresent() && tool != BackupSource.Tool.WAL_G) {
                item.problems().add(item.child("archiveCheck"), tool == BackupSource.Tool.PGBACKREST
                        ? "pgbackrest's info already lists the archive: leave archiveCheck out"
                        : "an archive check runs the backup tool's verification: set tool to wal-g");
            }
            if (restoreCheck.isPresent() && (tool == null || tool == BackupSource.Tool.REPORT_ONLY)) {
                item.problems().add(item.child("restoreCheck"), "a restore check restores with the backup tool: set tool to wal-g or pgbackrest");
            }
            if (tool == BackupSource.Tool.PGBACKREST && stanza.isEmpty()) {
                item.problems().add(item.child("stanza"), "pgbackrest needs the stanza to report on");
            }
            if (tool == BackupSource.Tool.REPORT_ONLY && command.isPresent()) {
                item.problems().add(item.child("command"), "report-only backups run no command; the backup job reports its outcome");
            }
            backups.add(backup);
        }
        return backups;
    }
}

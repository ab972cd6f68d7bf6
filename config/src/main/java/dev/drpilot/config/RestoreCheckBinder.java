package dev.drpilot.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Binds {@code backups[].restoreCheck}: the schedule, the scratch place and the check queries. */
final class RestoreCheckBinder {

    private RestoreCheckBinder() {
    }

    static RestoreCheckSettings bind(Section section, String component) {
        Optional<Schedule> schedule = section.schedule("schedule");
        Duration maxAge = section.duration("maxAge", schedule.map(s -> s.longestGap().multipliedBy(2)).orElse(Duration.ofDays(14)));
        if (section.has("maxAge") && schedule.isEmpty() && !section.has("schedule")) {
            section.problems().add(section.child("maxAge"), "only a scheduled restore check can be missed: set schedule too");
        }
        Path scratch = path(section, "scratchDirectory").orElse(RestoreCheckSettings.DEFAULT_SCRATCH_PARENT.resolve(
                component.isEmpty() ? "component" : component));
        int port = section.integer("port", RestoreCheckSettings.DEFAULT_PORT, 1024, 65535);
        RestoreCheckSettings.Target target = section.enumValue("target", RestoreCheckSettings.Target.class,
                RestoreCheckSettings.Target.NOW_MINUS_RPO);
        List<RestoreCheckSettings.Check> checks = checks(section);
        Optional<Path> pgBin = path(section, "pgBin");
        String osUser = section.string("osUser", "postgres");
        if (osUser.equals("root")) {
            section.problems().add(section.child("osUser"), "PostgreSQL refuses to run as root; use the postgres user");
        }
        Duration queryTimeout = section.duration("queryTimeout", Duration.ofSeconds(60));
        Map<String, String> environment = new LinkedHashMap<>();
        section.stringMap("environment").forEach((key, value) -> {
            try {
                environment.put(key, Secret.interpolate(value, section.env()));
            } catch (IllegalArgumentException e) {
                section.problems().add(section.child("environment") + "." + key, e.getMessage());
            }
        });
        section.finish();
        return new RestoreCheckSettings(schedule, maxAge, scratch, port, target, checks, pgBin, osUser, queryTimeout, environment);
    }

    private static Optional<Path> path(Section section, String key) {
        return section.optionalString(key).flatMap(text -> {
            try {
                Path path = Path.of(text);
                if (!path.isAbsolute()) {
                    section.problems().add(section.child(key), "\"" + text + "\" is not an absolute path");
                    // Kept as written (the configuration is refused anyway) so that it is not mistaken for another check's default.
                    return Optional.of(path);
                }
                if (path.normalize().getNameCount() == 0) {
                    section.problems().add(section.child(key), "\"" + text + "\" is the root directory");
                    return Optional.empty();
                }
                return Optional.of(path.normalize());
            } catch (InvalidPathException e) {
                section.problems().add(section.child(key), "\"" + text + "\" is not a path: " + e.getReason());
                return Optional.empty();
            }
        });
    }

    private static List<RestoreCheckSettings.Check> checks(Section section) {
        List<RestoreCheckSettings.Check> checks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section item : section.list("checks")) {
            String name = item.required("name");
            String database = item.string("database", "postgres");
            String sql = item.required("sql");
            Optional<String> expect = item.optionalString("expect");
            item.finish();
            item.requireUniqueName(names, name, "check");
            checks.add(new RestoreCheckSettings.Check(name, database, sql, expect));
        }
        return checks;
    }
}

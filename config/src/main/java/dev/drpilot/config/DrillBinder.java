package dev.drpilot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds {@code drills:}. The references are checked here, where the drill is read: the cluster and the
 * target node exist, and a restore drill's component has a {@code restoreCheck} to run.
 */
final class DrillBinder {
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?");

    private final Section section;
    private final List<Component> components;
    private final Map<String, ClusterConfig> clusters;
    private final List<BackupSource> backups;

    DrillBinder(Section top, List<Component> components, Map<String, ClusterConfig> clusters, List<BackupSource> backups) {
        this.section = top.section("drills");
        this.components = components;
        this.clusters = clusters;
        this.backups = backups;
    }

    DrillSettings drills() {
        Path reports = Path.of(section.string("reportDirectory", DrillSettings.DEFAULT_REPORT_DIRECTORY.toString()));
        List<DrillSettings.Drill> plans = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section item : section.list("plans")) {
            String name = item.required("name");
            item.requireUniqueName(names, name, "drill");
            if (!name.isEmpty() && !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                item.problems().add(item.child("name"), "\"" + name + "\" may hold only letters, digits, '.', '_' and '-' (it names the report files)");
            }
            DrillSettings.Kind kind = item.enumValue("kind", DrillSettings.Kind.class, null);
            Optional<Schedule> schedule = item.schedule("schedule");
            Duration timeout = item.duration("timeout", Duration.ofMinutes(5));
            DrillSettings.Drill drill = kind == null ? null : switch (kind) {
                case SWITCHOVER -> clusterDrill(item, name, kind, schedule, timeout, Optional.of(switchover(item)));
                case FAILOVER_DRY_RUN -> clusterDrill(item, name, kind, schedule, timeout, Optional.empty());
                case RESTORE -> restoreDrill(item, name, schedule, timeout);
            };
            if (kind == null) {
                // Without a kind the other keys cannot be judged: only the kind's problem is reported.
                List.of("cluster", "component", "to", "switchBack", "maxLag", "rejoinTimeout", "checks").forEach(item::has);
            }
            item.finish();
            if (drill != null) {
                plans.add(drill);
            }
        }
        section.finish();
        return new DrillSettings(reports, plans);
    }

    private DrillSettings.Drill clusterDrill(Section item, String name, DrillSettings.Kind kind, Optional<Schedule> schedule,
                                             Duration timeout, Optional<DrillSettings.Switchover> switchover) {
        String clusterName = item.required("cluster");
        ClusterConfig cluster = clusters.get(clusterName);
        if (cluster == null && !clusterName.isEmpty()) {
            item.problems().add(item.child("cluster"), "no cluster named \"" + clusterName + "\"" + known(clusters.keySet()));
        }
        switchover.flatMap(DrillSettings.Switchover::to).ifPresent(to -> {
            if (cluster != null && cluster.node(to).isEmpty()) {
                item.problems().add(item.child("to"), "cluster " + clusterName + " has no node named \"" + to + "\"");
            }
        });
        return new DrillSettings.Drill(name, kind, schedule, Optional.of(clusterName), cluster == null ? "" : cluster.component(),
                switchover, timeout);
    }

    private DrillSettings.Switchover switchover(Section item) {
        Optional<String> to = item.optionalString("to");
        boolean switchBack = item.bool("switchBack", true);
        Duration maxLag = item.duration("maxLag", Duration.ofSeconds(10));
        Duration rejoinTimeout = item.duration("rejoinTimeout", Duration.ofMinutes(10));
        Section checks = item.section("checks");
        String table = checks.string("table", "drpilot_drill_probe");
        if (!TABLE.matcher(table).matches()) {
            checks.problems().add(checks.child("table"), "\"" + table + "\" is not a plain lower-case table name (schema.table allowed)");
        }
        Optional<String> database = checks.optionalString("database");
        Duration writeInterval = checks.duration("writeInterval", Duration.ofMillis(50));
        checks.finish();
        return new DrillSettings.Switchover(to, switchBack, maxLag, rejoinTimeout, new DrillSettings.Probe(table, database, writeInterval));
    }

    private DrillSettings.Drill restoreDrill(Section item, String name, Optional<Schedule> schedule, Duration timeout) {
        String component = item.required("component");
        if (!component.isEmpty()) {
            if (components.stream().noneMatch(c -> c.name().equals(component))) {
                item.problems().add(item.child("component"), "no component named \"" + component + "\""
                        + known(components.stream().map(Component::name).toList()));
            } else if (backups.stream().noneMatch(b -> b.component().equals(component) && b.restoreCheck().isPresent())) {
                item.problems().add(item.child("component"), "component " + component
                        + " has no backups[].restoreCheck: a restore drill runs that check");
            }
        }
        return new DrillSettings.Drill(name, DrillSettings.Kind.RESTORE, schedule, Optional.empty(), component, Optional.empty(), timeout);
    }

    private static String known(Collection<String> names) {
        return names.isEmpty() ? "" : " (known: " + String.join(", ", names) + ")";
    }
}

package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code drpilot recovery}: the scheduled restore checks, alone, on the host that may restore. */
@Command(name = "recovery", mixinStandardHelpOptions = true,
        description = {"Run the scheduled restore checks (backups[].restoreCheck.schedule) and publish their outcomes.", "",
                "Outcomes go to drpilot.recovery.checks. Run it on a host with the PostgreSQL server binaries, the backup tool and its "
                        + "repository credentials, and disk for a restore; one restore at a time per host. Needs kafka.bootstrapServers "
                        + "in the configuration or --bootstrap-servers."})
final class RecoveryCommand extends ServiceCommand {
    @CommandLine.Mixin
    ServiceListenOptions.Recovery metrics = new ServiceListenOptions.Recovery();

    @Override
    List<ServiceDefinition> services() {
        return List.of(Services.recovery(metrics.address()));
    }
}

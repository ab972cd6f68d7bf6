package dev.drpilot.config;

import dev.drpilot.config.StepSpec.FenceAgent;
import dev.drpilot.config.StepSpec.FenceCommand;
import dev.drpilot.config.StepSpec.FenceKubernetes;
import dev.drpilot.config.StepSpec.FenceKubernetes.Workload;
import dev.drpilot.config.StepSpec.FenceStop;
import dev.drpilot.config.StepSpec.PromotePostgres;
import dev.drpilot.config.StepSpec.PromoteRds;
import dev.drpilot.config.StepSpec.RepointKubernetes;
import dev.drpilot.config.StepSpec.RepointKubernetes.Target;
import dev.drpilot.config.StepSpec.RepointReplicas;
import dev.drpilot.config.StepSpec.RepointRoute53;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static dev.drpilot.config.ConfigValidationTest.problemsOf;
import static dev.drpilot.config.ConfigValidationTest.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** How a step written in a runbook becomes its method's record, and what it prints as. */
class StepRegistryTest {

    private static Runbook.Step stepOf(String step) {
        return valid("runbooks: {r: {steps: [" + step + "]}}\n").runbooks().get("r").steps().get(0);
    }

    @Test
    void everySpecRecordHasItsLine() {
        assertThat(StepRegistry.kinds()).extracting(StepRegistry.Kind::spec)
                .containsExactlyInAnyOrder(Arrays.stream(StepSpec.class.getPermittedSubclasses()).toArray(Class[]::new));
    }

    @Test
    void everyStepTypeHasALine() {
        assertThat(StepRegistry.kinds()).extracting(StepRegistry.Kind::type).containsAll(Arrays.asList(Runbook.Type.values()));
    }

    static Stream<Arguments> writtenSteps() {
        return Stream.of(
                arguments("{type: fence}", new FenceStop(), Map.of("method", "stop")),
                arguments("{type: fence, method: command, command: ssh pg-1 halt}", new FenceCommand("ssh pg-1 halt"),
                        Map.of("method", "command", "command", "ssh pg-1 halt")),
                arguments("{type: fence, method: kubernetes, statefulSet: pg-1, deployment: pg}",
                        new FenceKubernetes(Optional.empty(), Workload.STATEFUL_SET, "pg-1"), Map.of("method", "kubernetes", "statefulSet", "pg-1")),
                arguments("{type: fence, method: kubernetes, namespace: db, deployment: pg}",
                        new FenceKubernetes(Optional.of("db"), Workload.DEPLOYMENT, "pg"), Map.of("method", "kubernetes", "namespace", "db", "deployment", "pg")),
                arguments("{type: fence, method: agent}", new FenceAgent(Duration.ofSeconds(5)), Map.of("method", "agent", "replyTimeout", "5s")),
                arguments("{type: fence, method: agent, replyTimeout: 2s}", new FenceAgent(Duration.ofSeconds(2)),
                        Map.of("method", "agent", "replyTimeout", "2s")),
                arguments("{type: promote}", new PromotePostgres(), Map.of("method", "postgres")),
                arguments("{type: promote, method: rds, region: eu-west-1, endpoint: 'http://127.0.0.1:4566'}",
                        new PromoteRds("eu-west-1", Optional.of(URI.create("http://127.0.0.1:4566"))),
                        Map.of("method", "rds", "region", "eu-west-1", "endpoint", "http://127.0.0.1:4566")),
                arguments("{type: repoint, method: replicas}", new RepointReplicas(), Map.of("method", "replicas")),
                arguments("{type: repoint, method: kubernetes, configMap: orders-db, key: host}",
                        new RepointKubernetes(Optional.empty(), Target.CONFIG_MAP_KEY, "orders-db", "host"),
                        Map.of("method", "kubernetes", "configMap", "orders-db", "key", "host")),
                arguments("{type: repoint, method: route53, hostedZoneId: Z1, recordName: db}", new RepointRoute53("Z1", "db", 60, Optional.empty()),
                        Map.of("method", "route53", "hostedZoneId", "Z1", "recordName", "db", "ttl", "60")),
                arguments("{type: repoint, method: route53, hostedZoneId: Z1, recordName: db, ttl: 30}", new RepointRoute53("Z1", "db", 30, Optional.empty()),
                        Map.of("method", "route53", "hostedZoneId", "Z1", "recordName", "db", "ttl", "30")),
                arguments("{type: verify}", new StepSpec.Verify(), Map.of()),
                // A key of another method of the same type was accepted before each method had its own record.
                arguments("{type: fence, method: stop, command: ssh pg-1 halt}", new FenceStop(), Map.of("method", "stop")));
    }

    @ParameterizedTest
    @MethodSource("writtenSteps")
    void aWrittenStepBindsToItsMethodsRecord(String written, StepSpec spec, Map<String, String> options) {
        Runbook.Step step = stepOf(written);

        assertThat(step.spec()).isEqualTo(spec);
        assertThat(step.options()).isEqualTo(options);
    }

    @Test
    void optionsPrintMethodFirstThenAsTheRecordOrdersThem() {
        assertThat(stepOf("{type: repoint, env: DB_PRIMARY, deployment: orders-app, namespace: orders, method: kubernetes, timeout: 2m}").options())
                .containsExactly(Map.entry("method", "kubernetes"), Map.entry("namespace", "orders"), Map.entry("deployment", "orders-app"),
                        Map.entry("env", "DB_PRIMARY"));
    }

    @Test
    void aStepPrintsAsARunbookWritesIt() {
        assertThat(ConfigPrinter.toYaml(valid("runbooks: {r: {steps: [{type: fence, method: command, command: halt, timeout: 2m}]}}\n")))
                .contains("""
                          r:
                            name: r
                            steps:
                            - type: fence
                              timeout: 2m
                              options:
                                method: command
                                command: halt
                        """);
    }

    @Test
    void theBuiltInRunbookIsThePostgresOne() {
        assertThat(RunbookBinder.builtIn().steps()).extracting(Runbook.Step::type, Runbook.Step::options, Runbook.Step::timeout).containsExactly(
                tuple(Runbook.Type.CHECK, Map.of(), Duration.ofSeconds(30)),
                tuple(Runbook.Type.FENCE, Map.of("method", "stop"), Duration.ofSeconds(60)),
                tuple(Runbook.Type.PROMOTE, Map.of("method", "postgres"), Duration.ofSeconds(60)),
                tuple(Runbook.Type.REPOINT, Map.of("method", "replicas"), Duration.ofSeconds(30)),
                tuple(Runbook.Type.VERIFY, Map.of(), Duration.ofSeconds(60)),
                tuple(Runbook.Type.NOTIFY, Map.of(), Duration.ofSeconds(30)));
    }

    @Test
    void anUnknownMethodIsTheOnlyProblemOfItsStep() {
        assertThat(problemsOf("runbooks: {r: {steps: [{type: promote, method: magic, region: eu-west-1}]}}\n"))
                .containsExactly("runbooks.r.steps[0].method: \"magic\" is not one of postgres, rds");
    }

    @Test
    void aMisspeltOptionGetsAHintFromEveryMethodOfItsType() {
        assertThat(problemsOf("runbooks: {r: {steps: [{type: fence, method: kubernetes, statefulset: pg-1}]}}\n")).containsExactlyInAnyOrder(
                "runbooks.r.steps[0].statefulSet: fence via kubernetes scales a statefulSet or a deployment to 0: name one",
                "runbooks.r.steps[0].statefulset: unknown key (did you mean \"statefulSet\"?)");
        assertThat(problemsOf("runbooks: {r: {steps: [{type: fence, method: stop, comand: halt}]}}\n"))
                .containsExactly("runbooks.r.steps[0].comand: unknown key (did you mean \"command\"?)");
    }
}

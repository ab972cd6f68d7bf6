package dev.drpilot.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards schema evolution: the current schema of every event must read everything written with
 * each committed version of itself (avro-history/), and the newest committed version must be
 * the current schema — so a change fails the build until it is compatible and committed as a
 * new version.
 */
class SchemaCompatibilityTest {

    @ParameterizedTest
    @ValueSource(strings = {"ReplicationObservation", "BackupObservation", "HealthObservation", "CollectorHeartbeat",
            "Alert", "FailoverCommand", "ActionRecord", "AgentLease", "AgentCommand", "AgentReply",
            "RestoreCheck", "Silence"})
    void currentSchemaReadsEveryCommittedVersion(String record) throws Exception {
        Schema current = SpecificData.get().getSchema(Class.forName("dev.drpilot.events." + record));
        List<Schema> history = SchemaHistory.versionsOf(record);

        assertThat(history).as("%s has no committed version under avro-history/%s/", record, record).isNotEmpty();
        assertThat(incompatibilities(current, history)).as("schema changes of %s that break older data", record).isEmpty();
        assertThat(AvroSerde.fingerprint(history.get(history.size() - 1)))
                .as("the current %s schema differs from avro-history/%s/v%d.avsc: if the change is compatible, "
                        + "commit it as v%d.avsc", record, record, history.size(), history.size() + 1)
                .isEqualTo(AvroSerde.fingerprint(current));
    }

    @Test
    void anIncompatibleChangeIsReportedWithTheRecordAndTheReason() {
        Schema v1 = SchemaBuilder.record("Probe").fields().requiredString("name").optionalLong("latency").endRecord();
        Schema addsRequiredField = SchemaBuilder.record("Probe").fields()
                .requiredString("name").optionalLong("latency").requiredString("region").endRecord();
        Schema addsOptionalField = SchemaBuilder.record("Probe").fields()
                .requiredString("name").optionalLong("latency").optionalString("region").endRecord();

        assertThat(incompatibilities(addsRequiredField, List.of(v1)))
                .singleElement().asString().contains("Probe").contains("v1").contains("region");
        assertThat(incompatibilities(addsOptionalField, List.of(v1))).isEmpty();
    }

    private static List<String> incompatibilities(Schema reader, List<Schema> writers) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < writers.size(); i++) {
            SchemaCompatibility.SchemaPairCompatibility result =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, writers.get(i));
            if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
                problems.add(reader.getName() + " cannot read data written with v" + (i + 1) + ": "
                        + result.getResult().getIncompatibilities());
            }
        }
        return problems;
    }
}

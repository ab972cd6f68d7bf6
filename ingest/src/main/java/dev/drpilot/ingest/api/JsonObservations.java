package dev.drpilot.ingest.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads an observation from JSON, checked field by field against its Avro schema: the JSON uses
 * the schema's field names, times as RFC 3339 strings (or epoch milliseconds), enums by symbol.
 * Every problem is collected with the field's path; unknown fields are problems too.
 *
 * <p>The checked values go through Avro's own binary encoding into the generated class, so what
 * the API publishes is exactly what a collector would.
 */
final class JsonObservations<T extends SpecificRecord> {
    private final Class<T> type;
    private final Schema schema;

    JsonObservations(Class<T> type) {
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
    }

    /** @param defaults values for fields the caller may leave out (e.g. {@code source}) */
    Optional<T> read(JsonNode json, Map<String, Supplier<Object>> defaults, List<FieldProblem> problems, Integer index) {
        int before = problems.size();
        GenericRecord record = record(json, schema, "", defaults, problems, index);
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(toSpecific(record));
    }

    private GenericRecord record(JsonNode json, Schema recordSchema, String prefix, Map<String, Supplier<Object>> defaults,
                                 List<FieldProblem> problems, Integer index) {
        GenericRecord record = new GenericData.Record(recordSchema);
        if (!json.isObject()) {
            problems.add(new FieldProblem(index, prefix.isEmpty() ? "(observation)" : prefix.substring(0, prefix.length() - 1),
                    "expected a JSON object"));
            return record;
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (recordSchema.getField(name) == null) {
                problems.add(new FieldProblem(index, prefix + name, "unknown field"));
            }
        }
        for (Schema.Field field : recordSchema.getFields()) {
            String path = prefix + field.name();
            JsonNode value = json.get(field.name());
            Schema fieldSchema = field.schema();
            boolean nullable = isNullable(fieldSchema);
            Schema valueSchema = nullable ? nonNull(fieldSchema) : fieldSchema;
            if (value == null || value.isNull()) {
                if (prefix.isEmpty() && defaults.containsKey(field.name())) {
                    record.put(field.name(), defaults.get(field.name()).get());
                } else if (nullable) {
                    record.put(field.name(), null);
                } else if (field.hasDefaultValue()) {
                    record.put(field.name(), GenericData.get().getDefaultValue(field));
                } else {
                    problems.add(new FieldProblem(index, path, "missing (required)"));
                }
                continue;
            }
            record.put(field.name(), value(value, valueSchema, path, defaults, problems, index));
        }
        return record;
    }

    private Object value(JsonNode value, Schema valueSchema, String path, Map<String, Supplier<Object>> defaults,
                         List<FieldProblem> problems, Integer index) {
        switch (valueSchema.getType()) {
            case STRING:
                if (!value.isTextual()) {
                    return problem(problems, index, path, "expected a string");
                }
                return value.asText();
            case BOOLEAN:
                if (!value.isBoolean()) {
                    return problem(problems, index, path, "expected true or false");
                }
                return value.asBoolean();
            case DOUBLE:
                if (!value.isNumber()) {
                    return problem(problems, index, path, "expected a number");
                }
                return value.asDouble();
            case LONG:
                if ("timestamp-millis".equals(logicalName(valueSchema))) {
                    return timestamp(value, path, problems, index);
                }
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    return problem(problems, index, path, "expected a whole number");
                }
                return value.asLong();
            case ENUM:
                if (!value.isTextual() || !valueSchema.getEnumSymbols().contains(value.asText())) {
                    return problem(problems, index, path, "expected one of " + String.join(", ", valueSchema.getEnumSymbols()));
                }
                return new GenericData.EnumSymbol(valueSchema, value.asText());
            case MAP:
                if (!value.isObject()) {
                    return problem(problems, index, path, "expected an object of strings");
                }
                Map<String, String> map = new HashMap<>();
                value.fields().forEachRemaining(entry -> {
                    if (entry.getValue().isValueNode() && !entry.getValue().isNull()) {
                        map.put(entry.getKey(), entry.getValue().asText());
                    } else {
                        problem(problems, index, path + "." + entry.getKey(), "expected a string");
                    }
                });
                return map;
            case ARRAY:
                if (!value.isArray()) {
                    return problem(problems, index, path, "expected a list");
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < value.size(); i++) {
                    items.add(value(value.get(i), valueSchema.getElementType(), path + "[" + i + "]", defaults, problems, index));
                }
                return items;
            case RECORD:
                return record(value, valueSchema, path + ".", Map.of(), problems, index);
            default:
                return problem(problems, index, path, "cannot be set through the API");
        }
    }

    private static Object timestamp(JsonNode value, String path, List<FieldProblem> problems, Integer index) {
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isTextual()) {
            try {
                return Instant.parse(value.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                // fall through to the problem below
            }
        }
        return problem(problems, index, path, "expected an RFC 3339 time such as 2026-11-24T03:12:45Z");
    }

    private static Object problem(List<FieldProblem> problems, Integer index, String path, String message) {
        problems.add(new FieldProblem(index, path, message));
        return null;
    }

    private static boolean isNullable(Schema schema) {
        return schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(branch -> branch.getType() == Schema.Type.NULL);
    }

    private static Schema nonNull(Schema union) {
        return union.getTypes().stream().filter(branch -> branch.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }

    private static String logicalName(Schema schema) {
        return schema.getLogicalType() == null ? null : schema.getLogicalType().getName();
    }

    private T toSpecific(GenericRecord record) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
            new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
            encoder.flush();
            SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
            return reader.read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot convert a checked " + type.getSimpleName(), e);
        }
    }
}

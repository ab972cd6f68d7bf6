package dev.drpilot.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.type.CollectionLikeType;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.function.Function;

/**
 * The effective configuration as YAML, in the form the file is written in (durations as
 * {@code 5m}, enums as {@code dry-run}), with every secret masked: what {@code drpilot config
 * check} prints and what start-up logs.
 */
public final class ConfigPrinter {
    private static final ObjectMapper MAPPER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .serializationInclusion(JsonInclude.Include.NON_ABSENT)
            .addModule(new Jdk8Module())
            .addModule(new SimpleModule("drpilot-config")
                    .addSerializer(Duration.class, new ToStringSerializer<>(Durations::format))
                    .addSerializer(Secret.class, new ToStringSerializer<>(Secret::toString))
                    .addSerializer(Path.class, new ToStringSerializer<>(Path::toString))
                    .addSerializer(Schedule.class, new ToStringSerializer<>(Schedule::text))
                    .addSerializer(Runbook.Step.class, new StepSerializer())
                    .setSerializerModifier(new EnumNames()))
            .build();

    private ConfigPrinter() {
    }

    public static String toYaml(DrpilotConfig config) {
        try {
            ObjectNode tree = MAPPER.valueToTree(config);
            // Client properties may carry credentials (sasl.jaas.config ...): print the masked view only.
            ((ObjectNode) tree.get("kafka")).set("properties", MAPPER.valueToTree(config.kafka().maskedProperties()));
            // A restore check's environment carries the backup store's credentials: print the names only.
            tree.path("backups").forEach(backup -> {
                if (backup.path("restoreCheck").path("environment") instanceof ObjectNode environment) {
                    List<String> names = new ArrayList<>();
                    environment.fieldNames().forEachRemaining(names::add);
                    names.forEach(name -> environment.put(name, "****"));
                }
            });
            // A drill's settings are written flat in the file (switchBack, maxLag, checks: ...): printed the same way.
            tree.path("drills").path("plans").forEach(plan -> {
                if (plan instanceof ObjectNode drill && !"restore".equals(drill.path("kind").asText())) {
                    // Only a restore drill names its component; the others take their cluster's.
                    drill.remove("component");
                }
                if (plan instanceof ObjectNode drill && drill.remove("switchover") instanceof ObjectNode switchover) {
                    drill.set("checks", switchover.remove("probe"));
                    drill.setAll(switchover);
                }
            });
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class ToStringSerializer<T> extends JsonSerializer<T> {
        private final Function<T, String> format;

        ToStringSerializer(Function<T, String> format) {
            this.format = format;
        }

        @Override
        public void serialize(T value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeString(format.apply(value));
        }
    }

    /** A step prints as a runbook writes it: its type, timeout and options, not the record its options are bound to. */
    private static final class StepSerializer extends JsonSerializer<Runbook.Step> {
        @Override
        public void serialize(Runbook.Step step, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeStartObject();
            provider.defaultSerializeField("type", step.type(), generator);
            provider.defaultSerializeField("timeout", step.timeout(), generator);
            provider.defaultSerializeField("options", step.options(), generator);
            generator.writeEndObject();
        }
    }

    /** Enums print as they are written in the file: {@code DRY_RUN} as {@code dry-run}. */
    private static final class EnumNames extends BeanSerializerModifier {
        @Override
        public JsonSerializer<?> modifyEnumSerializer(SerializationConfig config, JavaType valueType, BeanDescription description,
                                                      JsonSerializer<?> serializer) {
            return new JsonSerializer<Enum<?>>() {
                @Override
                public void serialize(Enum<?> value, JsonGenerator generator, SerializerProvider provider) throws IOException {
                    generator.writeString(ConfigNames.of(value));
                }
            };
        }

        @Override
        public JsonSerializer<?> modifyCollectionLikeSerializer(SerializationConfig config, CollectionLikeType valueType,
                                                                BeanDescription description, JsonSerializer<?> serializer) {
            return serializer;
        }
    }
}

package io.fugou.serde.avro;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) and primitives in the Confluent wire format, with the
 * schema registered (or looked up) under Confluent's subject naming. Configured with Confluent's
 * keys: a drop-in for {@code io.confluent.kafka.serializers.KafkaAvroSerializer}, and the reverse.
 */
public class KafkaAvroSerializer implements Serializer<Object> {

    /** One writer per schema and value class: building one per record would be wasted work on the hot path. */
    private final Map<WriterKey, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    private record WriterKey(Schema schema, Class<?> valueType) {
    }

    private AvroSerdeConfig config;
    private SchemaRegistryClient registry;
    private boolean isKey;

    public KafkaAvroSerializer() {
    }

    /** For callers that share one registry client (Kafka Streams serdes). */
    public KafkaAvroSerializer(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = AvroSerdeConfig.from(configs);
        this.isKey = isKey;
        if (registry == null) {
            registry = new SchemaRegistryClient(config);
        }
    }

    @Override
    public byte[] serialize(String topic, Object value) {
        if (value == null) {
            return null; // a tombstone stays a tombstone
        }
        if (config == null) {
            throw new IllegalStateException("KafkaAvroSerializer used before configure()");
        }
        Schema schema = AvroSchemas.schemaOf(value);
        SubjectNameStrategy strategy = isKey ? config.keySubjectNameStrategy() : config.valueSubjectNameStrategy();
        String subject = strategy.subjectName(topic, isKey, schema);
        int id;
        Schema writerSchema = schema;
        try {
            if (config.useLatestVersion()) {
                SchemaRegistryClient.RegisteredSchema latest = registry.latest(subject);
                id = latest.id();
                writerSchema = latest.schema();
            } else if (config.autoRegisterSchemas()) {
                id = registry.register(subject, schema);
            } else {
                id = registry.lookUp(subject, schema);
            }
        } catch (SchemaRegistryException e) {
            String hint = e.isIncompatible() ? " (the schema is not compatible with the versions already registered)"
                    : e.isNotFound() && !config.autoRegisterSchemas() ? " (auto.register.schemas is false and the schema is not registered)"
                    : "";
            throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic '" + topic
                    + "', subject '" + subject + "'" + hint + ": " + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(WireFormat.MAGIC_BYTE);
            out.write(ByteBuffer.allocate(WireFormat.ID_SIZE).putInt(id).array());
            if (value instanceof byte[] bytes) {
                value = ByteBuffer.wrap(bytes);
            }
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            Object record = value;
            writers.computeIfAbsent(new WriterKey(writerSchema, value.getClass()), key -> writerFor(record, key.schema()))
                    .write(value, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic '" + topic
                    + "', subject '" + subject + "', schema id " + id + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static DatumWriter<Object> writerFor(Object value, Schema schema) {
        if (value instanceof SpecificRecord) {
            return new SpecificDatumWriter<>(schema, SpecificData.getForClass(value.getClass()));
        }
        return new GenericDatumWriter(schema);
    }

    @Override
    public void close() {
        // the registry client holds no resources that outlive the JVM's HttpClient
    }
}

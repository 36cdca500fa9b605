package io.fugou.serde.avro;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
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
 * keys, which mean what they mean there (see the module README for the ones implemented): how the
 * schema id is chosen follows {@code AbstractKafkaAvroSerializer}, in this order:
 * <ol>
 * <li>{@code auto.register.schemas=true} (the default): register the record's schema, whatever else is set;</li>
 * <li>{@code use.schema.id=N}: write with schema N, which must be able to read the record's schema
 * unless {@code id.compatibility.strict=false};</li>
 * <li>{@code use.latest.version=true}: write with the subject's latest version, which must be able to
 * read the record's schema unless {@code latest.compatibility.strict=false};</li>
 * <li>otherwise look the record's schema up under the subject; it must be registered already.</li>
 * </ol>
 * With {@code avro.remove.java.properties=true} the record's schema loses its {@code avro.java.string}
 * properties before any of that, as Confluent's does.
 */
public class KafkaAvroSerializer implements Serializer<Object> {

    /** One writer per schema and value class: building one per record would be wasted work on the hot path. */
    private final Map<WriterKey, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    private record WriterKey(Schema schema, Class<?> valueType) {
    }

    /** {@code avro.remove.java.properties}: each value schema stripped once, not per record. */
    private final Map<Schema, Schema> withoutJavaProperties = new ConcurrentHashMap<>();
    private final Map<CompatibilityKey, Boolean> compatibility = new ConcurrentHashMap<>();

    /**
     * Per thread, the bytes a record is written into and a buffered encoder over them, both reused: the direct encoder this
     * replaced wrote each field to a synchronized stream grown from a small array, a tenth of a busy stream thread's time.
     */
    private static final ThreadLocal<Output> OUTPUT = ThreadLocal.withInitial(Output::new);
    private static final int KEPT_BUFFER_BYTES = 1 << 20;

    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        BinaryEncoder encoder;
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
        AvroClassTrust.trust(config.trustedPackages()); // building generated records can instantiate generated classes too
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
        if (config.removeJavaProperties()) {
            schema = withoutJavaProperties.computeIfAbsent(schema, AvroSchemas::withoutJavaProperties);
        }
        SubjectNameStrategy strategy = isKey ? config.keySubjectNameStrategy() : config.valueSubjectNameStrategy();
        String subject = strategy.subjectName(topic, isKey, schema);
        int id;
        Schema writerSchema = schema;
        try {
            // Confluent's order (AbstractKafkaAvroSerializer): auto-registration wins, then a fixed id, then the latest version.
            if (config.autoRegisterSchemas()) {
                id = registry.register(subject, schema);
            } else if (config.useSchemaId() >= 0) {
                id = config.useSchemaId();
                writerSchema = registry.byId(id);
                if (config.idCompatibilityStrict()) {
                    requireReadable(writerSchema, schema, id, AvroSerdeConfig.ID_COMPATIBILITY_STRICT, topic, subject);
                }
            } else if (config.useLatestVersion()) {
                SchemaRegistryClient.RegisteredSchema latest = registry.latest(subject);
                id = latest.id();
                writerSchema = latest.schema();
                if (config.latestCompatibilityStrict()) {
                    requireReadable(writerSchema, schema, id, AvroSerdeConfig.LATEST_COMPATIBILITY_STRICT, topic, subject);
                }
            } else {
                id = registry.lookUp(subject, schema);
            }
        } catch (SchemaRegistryException e) {
            String hint = e.isIncompatible() ? " (the schema is not compatible with the versions already registered)"
                    : e.isNotFound() && !config.autoRegisterSchemas() ? " (" + notFoundHint() + ")"
                    : "";
            throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic '" + topic
                    + "', subject '" + subject + "'" + hint + ": " + e.getMessage(), e);
        }
        try {
            Output output = OUTPUT.get();
            // Configured first: it hands on what a failed write left in the encoder, which the reset then drops.
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(output.bytes, output.encoder);
            output.encoder = encoder;
            output.bytes.reset();
            encoder.writeFixed(ByteBuffer.allocate(WireFormat.HEADER_SIZE).put(WireFormat.MAGIC_BYTE).putInt(id).array());
            if (value instanceof byte[] bytes) {
                value = ByteBuffer.wrap(bytes);
            }
            Object record = value;
            writers.computeIfAbsent(new WriterKey(writerSchema, value.getClass()), key -> writerFor(record, key.schema()))
                    .write(value, encoder);
            encoder.flush();
            byte[] written = output.bytes.toByteArray();
            if (written.length > KEPT_BUFFER_BYTES) {
                OUTPUT.remove(); // a rare large record does not keep its buffer on the thread for good
            }
            return written;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic '" + topic
                    + "', subject '" + subject + "', schema id " + id + ": " + e.getMessage(), e);
        }
    }

    private String notFoundHint() {
        if (config.useSchemaId() >= 0) {
            return "auto.register.schemas is false and use.schema.id " + config.useSchemaId() + " is not known to the registry";
        }
        if (config.useLatestVersion()) {
            return "auto.register.schemas is false and use.latest.version found no version under the subject";
        }
        return "auto.register.schemas is false and the schema is not registered"
                + (config.removeJavaProperties() ? "" : "; if it was registered without avro.java.string, set avro.remove.java.properties=true");
    }

    /**
     * Confluent's {@code latest.compatibility.strict} / {@code id.compatibility.strict}: the schema the record is
     * written with must be able to read data of the record's own schema. Checked once per pair.
     */
    private void requireReadable(Schema writerSchema, Schema ownSchema, int id, String key, String topic, String subject) {
        Boolean readable = compatibility.computeIfAbsent(new CompatibilityKey(id, ownSchema), k ->
                SchemaCompatibility.checkReaderWriterCompatibility(writerSchema, ownSchema).getType()
                        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        if (!readable) {
            throw new SerializationException("Cannot serialize " + ownSchema.getFullName() + " for topic '" + topic + "', subject '"
                    + subject + "', schema id " + id + ": the registered schema cannot read the record's own schema (it is not "
                    + "backward compatible with it); set " + key + "=false to write with it anyway");
        }
    }

    private record CompatibilityKey(int id, Schema ownSchema) {
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

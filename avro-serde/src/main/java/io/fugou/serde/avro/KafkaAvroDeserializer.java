package io.fugou.serde.avro;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Confluent wire format: the writer's schema is fetched from the registry by the id in
 * the record, and the value is resolved to the reader's schema, so fields the writer did not know
 * take their defaults. With {@code specific.avro.reader=false} (the default) the value is a
 * GenericRecord in the writer's schema. With {@code specific.avro.reader=true} it is a generated
 * class: the one {@code avro.reader.types.by.topic} names for the topic, else
 * {@code specific.avro.key.type} / {@code specific.avro.value.type}, else the class of the writer's
 * full name (see {@link ReaderTypes}).
 *
 * <p>In specific mode, a record that uses an event type (union branch) the reader's class does not
 * know is returned as an {@link UnknownEvent}, never as the other type Avro would have read it as.
 * Whether a writer schema can hold such records is worked out once per schema id; records of the
 * other schema ids are read exactly as before, with no extra work.
 *
 * <p>Every failure names the topic and the schema id, so a dead-letter record says what was wrong.
 */
public class KafkaAvroDeserializer implements Deserializer<Object> {

    private static final Logger log = LoggerFactory.getLogger(KafkaAvroDeserializer.class);

    private AvroSerdeConfig config;
    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean readerDependsOnTopic;
    /** One plan per writer schema id: building a reader resolves the two schemas, too costly per record. */
    private final Map<Integer, ReadPlan> plansById = new ConcurrentHashMap<>();
    /** The same for each topic listed in {@code avro.reader.types.by.topic}, whose reader class is its own. */
    private final Map<String, Map<Integer, ReadPlan>> plansByTopic = new ConcurrentHashMap<>();
    private final DecoderFactory decoders = DecoderFactory.get();

    /**
     * How records of one writer schema id are read.
     *
     * @param reader          the reader into the final value (generic or specific)
     * @param unknownBranches where the writer has event types the reader lacks; {@code null} when it has none
     * @param asWritten       a generic reader with the writer's own schema, when {@code unknownBranches} is set
     */
    private record ReadPlan(Schema writer, DatumReader<Object> reader, UnknownBranches unknownBranches, DatumReader<Object> asWritten) {
    }

    public KafkaAvroDeserializer() {
    }

    /** For callers that share one registry client (Kafka Streams serdes). */
    public KafkaAvroDeserializer(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = AvroSerdeConfig.from(configs);
        this.isKey = isKey;
        this.readerDependsOnTopic = config.readerTypes().dependsOnTopic(isKey);
        AvroClassTrust.trust(config.trustedPackages());
        if (registry == null) {
            registry = new SchemaRegistryClient(config);
        }
    }

    @Override
    public Object deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (config == null) {
            throw new IllegalStateException("KafkaAvroDeserializer used before configure()");
        }
        if (data.length < WireFormat.HEADER_SIZE || data[0] != WireFormat.MAGIC_BYTE) {
            throw new SerializationException("Unknown magic byte in a record of topic '" + topic + "': not the Confluent Avro wire format ("
                    + data.length + " bytes, first byte " + (data.length == 0 ? "none" : String.format("0x%02x", data[0])) + ")");
        }
        int id = ByteBuffer.wrap(data, 1, WireFormat.ID_SIZE).getInt();
        Map<Integer, ReadPlan> plans = plansFor(topic);
        ReadPlan plan = plans.get(id);
        if (plan == null) {
            plan = newPlan(topic, id, plans);
        }
        try {
            return read(plan, topic, id, data);
        } catch (RuntimeException | IOException e) {
            throw new SerializationException("Cannot read a record of topic '" + topic + "' with schema id " + id
                    + " (" + plan.writer().getFullName() + "): " + e.getMessage(), e);
        }
    }

    private Map<Integer, ReadPlan> plansFor(String topic) {
        if (readerDependsOnTopic && topic != null && config.readerTypes().valueByTopic().containsKey(topic)) {
            return plansByTopic.computeIfAbsent(topic, t -> new ConcurrentHashMap<>());
        }
        return plansById;
    }

    private Object read(ReadPlan plan, String topic, int id, byte[] data) throws IOException {
        if (plan.unknownBranches() != null) {
            GenericRecord asWritten = (GenericRecord) decode(plan.asWritten(), data);
            Set<String> unknown = plan.unknownBranches().usedBy(asWritten);
            if (!unknown.isEmpty()) {
                return new UnknownEvent(topic, id, plan.writer().getFullName(), unknown, asWritten);
            }
        }
        Object value = decode(plan.reader(), data);
        return value instanceof Utf8 utf8 ? utf8.toString() : value;
    }

    private Object decode(DatumReader<Object> reader, byte[] data) throws IOException {
        BinaryDecoder decoder = decoders.binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
        Object value = reader.read(null, decoder);
        if (!decoder.isEnd()) {
            throw new SerializationException("bytes left over after the value");
        }
        return value;
    }

    private ReadPlan newPlan(String topic, int id, Map<Integer, ReadPlan> plans) {
        Schema writer;
        try {
            writer = registry.byId(id);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot read a record of topic '" + topic + "': schema id " + id
                    + (e.isNotFound() ? " is not known to the registry" : " could not be fetched") + ": " + e.getMessage(), e);
        }
        try {
            return plans.computeIfAbsent(id, key -> planFor(topic, id, writer));
        } catch (RuntimeException e) {
            throw new SerializationException("Cannot read a record of topic '" + topic + "' with schema id " + id
                    + " (" + writer.getFullName() + "): " + e.getMessage(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private ReadPlan planFor(String topic, int id, Schema writer) {
        Class<? extends SpecificRecord> configured = config.specificAvroReader() ? config.readerTypes().forTopic(topic, isKey) : null;
        if (configured == null && (!config.specificAvroReader() || !isNamed(writer))) {
            return new ReadPlan(writer, new GenericDatumReader(writer, writer), null, null);
        }
        Schema reader = readerSchema(writer, configured);
        DatumReader<Object> specific = new SpecificDatumReader<>(writer, reader, SpecificData.get());
        UnknownBranches unknownBranches = writer.getType() == Schema.Type.RECORD ? UnknownBranches.of(writer, reader) : null;
        if (unknownBranches == null) {
            return new ReadPlan(writer, specific, null, null);
        }
        log.info("Schema id {} ({}) has event types that {} does not know: {}; records of topic '{}' using them are handed over as UnknownEvent",
                id, writer.getFullName(), reader.getFullName(), String.join(", ", unknownBranches.names()), topic);
        return new ReadPlan(writer, specific, unknownBranches, new GenericDatumReader(writer, writer));
    }

    private static Schema readerSchema(Schema writer, Class<? extends SpecificRecord> configured) {
        if (configured != null) {
            if (writer.getType() != Schema.Type.RECORD) {
                throw new SerializationException("the writer's schema is a " + writer.getType() + ", not a record: it cannot be read into "
                        + configured.getName());
            }
            return SpecificData.get().getSchema(configured);
        }
        Class<?> type = SpecificData.get().getClass(writer);
        if (type == null) {
            throw new SerializationException("specific.avro.reader is true but no generated class " + writer.getFullName()
                    + " is on the classpath; to read it into a class of another name, set " + AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE
                    + " (or " + AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE + ", or " + AvroSerdeConfig.READER_TYPES_BY_TOPIC + ")");
        }
        return SpecificData.get().getSchema(type);
    }

    private static boolean isNamed(Schema schema) {
        return schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM || schema.getType() == Schema.Type.FIXED;
    }
}

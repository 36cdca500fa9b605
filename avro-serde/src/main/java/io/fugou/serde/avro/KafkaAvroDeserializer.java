package io.fugou.serde.avro;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format: the writer's schema is fetched from the registry by the id in
 * the record, and the value is resolved to the reader's schema, so fields the writer did not know
 * take their defaults. With {@code specific.avro.reader=true} the reader is the generated class of
 * the same full name; otherwise a GenericRecord in the writer's schema.
 * Every failure names the topic and the schema id, so a dead-letter record says what was wrong.
 */
public class KafkaAvroDeserializer implements Deserializer<Object> {

    private AvroSerdeConfig config;
    private SchemaRegistryClient registry;
    /** One plan per writer schema id: building a reader resolves the two schemas, too costly per record. */
    private final Map<Integer, ReadPlan> plansById = new ConcurrentHashMap<>();

    /**
     * How to read records of one writer schema. {@code unknownBranches} are named union branches the
     * writer has and the reader lacks; when there are any, a record is first decoded with the writer's
     * schema to see whether it uses one (rare: only while producers are ahead of this reader).
     */
    private record ReadPlan(DatumReader<Object> reader, Set<String> unknownBranches, DatumReader<Object> writerReader) {
    }
    private final DecoderFactory decoders = DecoderFactory.get();

    public KafkaAvroDeserializer() {
    }

    /** For callers that share one registry client (Kafka Streams serdes). */
    public KafkaAvroDeserializer(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = AvroSerdeConfig.from(configs);
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
        Schema writer;
        try {
            writer = registry.byId(id);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot read a record of topic '" + topic + "': schema id " + id
                    + (e.isNotFound() ? " is not known to the registry" : " could not be fetched") + ": " + e.getMessage(), e);
        }
        try {
            ReadPlan plan = plansById.computeIfAbsent(id, key -> planFor(writer));
            if (!plan.unknownBranches().isEmpty()) {
                BinaryDecoder decoder = decoders.binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
                Object asWritten = plan.writerReader().read(null, decoder);
                Set<String> used = UnionBranches.used(asWritten, plan.unknownBranches());
                if (!used.isEmpty()) {
                    return new UnknownEvent(topic, id, writer.getFullName(), used, (org.apache.avro.generic.GenericRecord) asWritten);
                }
            }
            BinaryDecoder decoder = decoders.binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
            Object value = plan.reader().read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("bytes left over after the value");
            }
            return value instanceof org.apache.avro.util.Utf8 utf8 ? utf8.toString() : value;
        } catch (RuntimeException | java.io.IOException e) {
            throw new SerializationException("Cannot read a record of topic '" + topic + "' with schema id " + id
                    + " (" + writer.getFullName() + "): " + e.getMessage(), e);
        }
    }

    private Schema readerSchemaFor(Schema writer) {
        if (!config.specificAvroReader() || !isNamed(writer)) {
            return writer;
        }
        Class<?> type = SpecificData.get().getClass(writer);
        if (type == null) {
            throw new SerializationException("specific.avro.reader is true but no generated class " + writer.getFullName() + " is on the classpath");
        }
        return SpecificData.get().getSchema(type);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private ReadPlan planFor(Schema writer) {
        if (config.specificAvroReader() && writer.getType() == Schema.Type.RECORD) {
            Schema reader = readerSchemaFor(writer);
            Set<String> unknown = UnionBranches.missingFromReader(writer, reader);
            return new ReadPlan(new SpecificDatumReader<>(writer, reader, SpecificData.get()), unknown,
                    unknown.isEmpty() ? null : new GenericDatumReader(writer, writer));
        }
        if (config.specificAvroReader() && isNamed(writer)) {
            return new ReadPlan(new SpecificDatumReader<>(writer, readerSchemaFor(writer), SpecificData.get()), Set.of(), null);
        }
        return new ReadPlan(new GenericDatumReader(writer, writer), Set.of(), null);
    }

    private static boolean isNamed(Schema schema) {
        return schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM || schema.getType() == Schema.Type.FIXED;
    }
}

package io.fugou.serde.avro;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** What the specific and the generic Kafka Streams serdes share: they differ only in the reader. */
abstract class AvroSerde<T> implements Serde<T> {

    private final boolean specificReader;
    private final KafkaAvroSerializer serializer;
    private final KafkaAvroDeserializer deserializer;

    AvroSerde(boolean specificReader) {
        this.specificReader = specificReader;
        this.serializer = new KafkaAvroSerializer();
        this.deserializer = new KafkaAvroDeserializer();
    }

    /** With a registry client shared by the application's serdes: one HTTP client and one schema cache, not one per serde. */
    AvroSerde(boolean specificReader, SchemaRegistryClient registry) {
        this.specificReader = specificReader;
        this.serializer = new KafkaAvroSerializer(registry);
        this.deserializer = new KafkaAvroDeserializer(registry);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Map<String, Object> withReader = new HashMap<>(configs);
        withReader.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, specificReader);
        serializer.configure(withReader, isKey);
        deserializer.configure(withReader, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer::serialize;
    }

    /**
     * A Serde of T cannot hand over an {@link UnknownEvent} in place of a T: it throws
     * {@link UnknownEventException} instead, for the Streams deserialization exception handler.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            Object value = deserializer.deserialize(topic, bytes);
            if (value instanceof UnknownEvent unknown) {
                throw new UnknownEventException(unknown);
            }
            return (T) value;
        };
    }
}

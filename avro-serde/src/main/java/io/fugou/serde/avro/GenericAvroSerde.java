package io.fugou.serde.avro;

import org.apache.avro.generic.GenericRecord;

/** A Kafka Streams serde for GenericRecord; the counterpart of Confluent's GenericAvroSerde. */
public class GenericAvroSerde extends AvroSerde<GenericRecord> {

    public GenericAvroSerde() {
        super(false);
    }

    /** With a registry client the application's serdes share (configure() then uses it instead of making one). */
    public GenericAvroSerde(SchemaRegistryClient registry) {
        super(false, registry);
    }
}

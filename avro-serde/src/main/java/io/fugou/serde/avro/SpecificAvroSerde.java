package io.fugou.serde.avro;

import org.apache.avro.specific.SpecificRecord;

/** A Kafka Streams serde for generated Avro classes; the counterpart of Confluent's SpecificAvroSerde. */
public class SpecificAvroSerde<T extends SpecificRecord> extends AvroSerde<T> {

    public SpecificAvroSerde() {
        super(true);
    }

    /** With a registry client the application's serdes share (configure() then uses it instead of making one). */
    public SpecificAvroSerde(SchemaRegistryClient registry) {
        super(true, registry);
    }
}

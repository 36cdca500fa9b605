package io.fugou.serde.avro;

import org.apache.avro.specific.SpecificRecord;

/** A Kafka Streams serde for generated Avro classes; the counterpart of Confluent's SpecificAvroSerde. */
public class SpecificAvroSerde<T extends SpecificRecord> extends AvroSerde<T> {

    public SpecificAvroSerde() {
        super(true);
    }
}

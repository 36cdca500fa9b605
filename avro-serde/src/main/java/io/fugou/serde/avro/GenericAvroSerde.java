package io.fugou.serde.avro;

import org.apache.avro.generic.GenericRecord;

/** A Kafka Streams serde for GenericRecord; the counterpart of Confluent's GenericAvroSerde. */
public class GenericAvroSerde extends AvroSerde<GenericRecord> {

    public GenericAvroSerde() {
        super(false);
    }
}

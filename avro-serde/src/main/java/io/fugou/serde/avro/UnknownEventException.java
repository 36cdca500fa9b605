package io.fugou.serde.avro;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Thrown by the Kafka Streams {@link SpecificAvroSerde}, which must return its own type, where
 * {@link KafkaAvroDeserializer} hands over an {@link UnknownEvent}: a Streams
 * {@code DeserializationExceptionHandler} can then skip it (log and continue) instead of a topology
 * processing an event misread as another type.
 */
public class UnknownEventException extends SerializationException {

    private final transient UnknownEvent unknownEvent;

    public UnknownEventException(UnknownEvent unknownEvent) {
        super("Record of topic '" + unknownEvent.topic() + "' with schema id " + unknownEvent.schemaId() + " ("
                + unknownEvent.writerSchemaName() + ") uses event types this reader does not know: "
                + String.join(", ", unknownEvent.unknownTypes()));
        this.unknownEvent = unknownEvent;
    }

    public UnknownEvent unknownEvent() {
        return unknownEvent;
    }
}

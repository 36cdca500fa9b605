package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * A record the serde cannot read must not stop a consumer: spring-kafka's ErrorHandlingDeserializer
 * turns our exception into a header, which the dead-letter recoverer then publishes with the reason.
 */
class DeadLetterReadinessIT {



    @Test
    void shouldTurnGarbageAndUnknownIdsIntoDeserializationExceptionsThatKeepTheBytes() {
        ErrorHandlingDeserializer<Object> deserializer = new ErrorHandlingDeserializer<>(new KafkaAvroDeserializer());
        deserializer.configure(TestRegistry.config(), false);

        DeserializationException garbage = failureOf(deserializer, "not avro".getBytes());
        DeserializationException unknownId = failureOf(deserializer, ByteBuffer.allocate(6).put((byte) 0).putInt(424_242).put((byte) 2).array());

        assertThat(garbage.getCause()).hasMessageContaining("Unknown magic byte");
        assertThat(garbage.getData()).isEqualTo("not avro".getBytes());
        assertThat(unknownId.getCause()).hasMessageContaining("schema id 424242 is not known to the registry");
    }

    private static DeserializationException failureOf(ErrorHandlingDeserializer<Object> deserializer, byte[] bytes) {
        RecordHeaders headers = new RecordHeaders();
        Object value = deserializer.deserialize("commerce.orders.v1", headers, bytes);
        assertThat(value).isNull();
        ConsumerRecord<String, Object> record = new ConsumerRecord<>("commerce.orders.v1", 0, 0, 0L,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, bytes.length, "k", null, headers, java.util.Optional.empty());
        DeserializationException exception = SerializationUtils.getExceptionFromHeader(record,
                SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, new LogAccessor(DeadLetterReadinessIT.class));
        assertThat(exception).as("a deserialization failure recorded in the headers").isNotNull();
        return exception;
    }
}

package io.fugou.serde.avro;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;

/**
 * A record whose writer used an event type the reader's generated classes do not know, handed over
 * by {@link KafkaAvroDeserializer} in place of the value Avro would otherwise have made of it: Avro
 * resolves a union branch the reader lacks to the first reader branch that fits by structure, so a
 * new {@code OrderCompleted{orderId}} would be read as an {@code OrderCancelled} (shared/STACK.md, trap 17).
 *
 * <h2>When the deserializer returns one</h2>
 * Only with {@code specific.avro.reader=true}, and only for a record whose value actually uses a union
 * branch (a record, enum or fixed type, at any depth) that the reader's schema does not have under the
 * same name, or that Avro would read as a branch of another name. A record written with the same newer
 * schema that uses only known branches is read into the generated class as usual; generic readers
 * ({@code specific.avro.reader=false}) read with the writer's schema and never see an UnknownEvent.
 * It is never returned for a tombstone ({@code null} stays {@code null}).
 *
 * <h2>What a consumer does with it (the tolerant reader)</h2>
 * Skip it, count it and log it, then carry on: it is not an error of the record but a sign that the
 * service is older than the producer. It must not be dead-lettered as unreadable, nor handled as any
 * known event. Test for it before casting the value to the topic's class:
 * {@code if (record.value() instanceof UnknownEvent unknown) { ... }}. The Kafka Streams
 * {@link SpecificAvroSerde} cannot return it in place of its type and throws
 * {@link UnknownEventException} (a SerializationException) carrying it instead.
 *
 * @param topic            the topic the record was read from
 * @param schemaId         the registry id of the writer's schema (the record's bytes 1-4)
 * @param writerSchemaName the full name of the writer's top-level record, e.g. {@code io.fugou.events.orders.OrderEvent}
 * @param unknownTypes     the full names of the unknown types the record uses, e.g.
 *                         {@code io.fugou.events.orders.OrderCompleted}; never empty, sorted, unmodifiable
 * @param value            the record decoded with the writer's own schema, so its envelope fields
 *                         ({@code eventId}, {@code merchantId}, ...) can still be logged; strings may be
 *                         {@link org.apache.avro.util.Utf8}, use {@code String.valueOf}. It may hold
 *                         personal data: {@link #toString()} leaves it out.
 */
public record UnknownEvent(String topic, int schemaId, String writerSchemaName, Set<String> unknownTypes, GenericRecord value) {

    public UnknownEvent {
        Objects.requireNonNull(writerSchemaName, "writerSchemaName");
        Objects.requireNonNull(value, "value");
        if (unknownTypes == null || unknownTypes.isEmpty()) {
            throw new IllegalArgumentException("an UnknownEvent names at least one unknown type");
        }
        unknownTypes = Collections.unmodifiableSortedSet(new TreeSet<>(unknownTypes));
    }

    /** Names the record without its content, which may carry personal data. */
    @Override
    public String toString() {
        return "UnknownEvent[topic=" + topic + ", schemaId=" + schemaId + ", writerSchemaName=" + writerSchemaName
                + ", unknownTypes=" + unknownTypes + "]";
    }
}

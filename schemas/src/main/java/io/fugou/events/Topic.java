package io.fugou.events;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * One Kafka topic's contract: its name, the Avro record every value is, and how it is kept.
 * Keys are always the string {@code merchantId:customerId} (see {@link MemberKey}).
 * Read and write a topic through its contract, never through a string literal.
 */
public record Topic<V extends SpecificRecord>(String name, Class<V> valueType, Schema valueSchema, boolean compacted) {

    /** The registry subject of the value schema under the default TopicNameStrategy. */
    public String valueSubject() {
        return name + "-value";
    }

    /** The dead-letter topic where records that cannot be processed are parked, reason in headers. */
    public String deadLetterTopic() {
        return name + ".DLT";
    }
}

package io.fugou.platform.pipeline;

/**
 * Where an event was read: its topic, partition and offset. A handler stores it with the row the event
 * created, so that a redelivery of the very same record (its batch's Kafka transaction was aborted)
 * can be told from a duplicate the shop sent again (another offset): the first rebuilds and publishes
 * the row's events again, the second publishes nothing.
 */
public record SourcePosition(String topic, int partition, long offset) {

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}

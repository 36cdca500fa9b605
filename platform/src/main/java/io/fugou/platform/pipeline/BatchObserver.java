package io.fugou.platform.pipeline;

import java.util.List;

/**
 * Told where a batch, or the outbox relay, stands (at most one bean; the records are flushed to the broker first). Tests use it to fail at the worst moment: after the database committed
 * and the events were sent, before the Kafka transaction commits.
 */
public interface BatchObserver {

    /** The batch's rows are committed and its events and dead letters are sent in the open Kafka transaction. */
    default void beforeKafkaCommit(String pipeline, List<SourcePosition> positions) {
    }

    /** These outbox rows and their shares' positions are sent in the open Kafka transaction (a batch's, or the relay's own). */
    default void beforeRelayCommit(String pipeline, List<Long> outboxIds) {
    }
}

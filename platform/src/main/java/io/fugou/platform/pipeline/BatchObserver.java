package io.fugou.platform.pipeline;

import java.util.List;

/**
 * Told where a batch stands. Tests use it to fail at the worst moment: after the database committed
 * and the events were sent, before the Kafka transaction commits.
 */
public interface BatchObserver {

    /** The batch's rows are committed and its events and dead letters are sent in the open Kafka transaction. */
    default void beforeKafkaCommit(String pipeline, List<SourcePosition> positions) {
    }
}

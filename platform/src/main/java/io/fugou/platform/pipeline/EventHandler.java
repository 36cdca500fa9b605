package io.fugou.platform.pipeline;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import reactor.core.publisher.Mono;

/**
 * What a service does with one event type, a batch at a time.
 *
 * <p>{@link #apply} runs inside the batch's one database transaction (its statements join it through
 * the Reactor context) and must be idempotent by the domain's own unique keys: a record it has seen
 * before changes nothing. It returns the events to publish, built from the stored rows, for every
 * event whose row was created by this very record ({@link Inbound#position()}), whether now or by an
 * earlier delivery whose Kafka transaction never committed; for a duplicate from another offset it
 * returns nothing. Use set-based statements ({@code unnest} over array binds): one round trip per
 * batch, not per row.
 */
public interface EventHandler<P extends SpecificRecord> {

    /**
     * Checks one event before anything is written; throw {@link io.fugou.platform.kafka.InvalidEventException}
     * and that record goes to the dead-letter topic with the reason while the rest of the batch is applied.
     */
    default void check(Inbound<P> event) {
    }

    /** Applies the events, in the order given (which keeps each member's order), and returns what to publish, in order. */
    Mono<List<Outbound>> apply(List<Inbound<P>> events);
}

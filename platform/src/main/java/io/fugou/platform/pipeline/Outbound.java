package io.fugou.platform.pipeline;

import io.fugou.events.Topic;
import org.apache.avro.specific.SpecificRecord;

/** An event to publish with the batch that caused it, keyed by its envelope's member. */
public record Outbound(Topic<?> topic, String key, SpecificRecord value) {

    public static <V extends SpecificRecord> Outbound of(Topic<V> topic, V envelope) {
        return new Outbound(topic, Envelopes.memberKey(envelope).toString(), envelope);
    }
}

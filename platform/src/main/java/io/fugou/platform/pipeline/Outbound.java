package io.fugou.platform.pipeline;

import io.fugou.events.MemberKey;
import io.fugou.events.Topic;
import org.apache.avro.specific.SpecificRecord;

/** An event to publish with the batch that caused it, keyed by its envelope's member. */
public record Outbound(Topic<?> topic, String key, SpecificRecord value) {

    public static <V extends SpecificRecord> Outbound of(Topic<V> topic, V envelope) {
        return new Outbound(topic, Envelopes.memberKey(envelope).toString(), envelope);
    }

    /** A tombstone: the member's record on a compacted topic deleted (an erasure), which compaction then removes. */
    public static Outbound tombstone(Topic<?> topic, MemberKey member) {
        return new Outbound(topic, member.toString(), null);
    }
}

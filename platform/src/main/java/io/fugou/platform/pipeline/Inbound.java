package io.fugou.platform.pipeline;

import io.fugou.events.MemberKey;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * One event as a handler gets it: the envelope's fields, its payload, and where it was read.
 *
 * @param key the record's key, checked to be the envelope's {@code merchantId:customerId}
 */
public record Inbound<P extends SpecificRecord>(SourcePosition position, String key, String eventId, String merchantId,
                                                String customerId, Instant occurredAt, P payload) {

    public MemberKey member() {
        return new MemberKey(merchantId, customerId);
    }
}

package io.fugou.shop.world;

import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/** One event for a {@code commerce.*} topic, keyed {@code merchantId:customerId} as the contracts say, at its simulated time. */
public record ShopEvent(String topic, String key, SpecificRecord value, Instant at, Kind kind) {

    /** What the event is, for the progress line. */
    public enum Kind { REGISTERED, JOINED, PAID, REFUNDED, CANCELLED, VIEWED, CART_ABANDONED }
}

package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.platform.pipeline.SourcePosition;
import java.time.Instant;

/** Points a member is to be credited, and the record that caused it. */
public record Earning(MemberKey member, String entryId, String orderId, long points, Instant occurredAt, SourcePosition source) {

    /** The ledger entry of the points an order earned: one per order. */
    public static String entryIdOfOrder(String orderId) {
        return "order:" + orderId;
    }
}

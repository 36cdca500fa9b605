package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.loyalty.rules.EarningRules.RefundShortfall;
import io.fugou.platform.pipeline.SourcePosition;
import java.time.Instant;
import java.util.List;

/**
 * A change to post to a member's ledger, before the ledger knows the member's balances: the ledger
 * turns it into a {@link LedgerEntry} with what it moved and the balances after it.
 *
 * @param points    the amount, positive: earned, released, taken back, spent, or (for an adjustment) signed
 * @param pending   for an earning, whether it waits for the return window; for a reversal, whether the
 *                  points it takes back are still pending
 * @param shortfall for a reversal of available points, what to do when the member has spent them
 * @param expiresAt when points this makes available expire (null: never)
 * @param lotHint   the lot to take points from first (a reversal takes back its own order's points first)
 * @param spend     for a redemption, what the points bought
 * @param source    the Kafka record that caused it, or null for a change made over HTTP or by a job
 */
public record Posting(MemberKey member, String entryId, EntryKind kind, long points, boolean pending, RefundShortfall shortfall,
                      String orderId, String refundId, List<String> ruleIds, Instant availableAt, Instant expiresAt, String lotHint,
                      Spend spend, String reason, String operator, Instant occurredAt, SourcePosition source) {

    /** What a redemption bought: a coupon (by template), a gift (by SKU), or cash off an order. */
    public record Spend(String redemptionId, String reward, String rewardId, Long cashMinor, String cashCurrency) {
    }

    public static Posting earned(MemberKey member, String entryId, long points, String orderId, List<String> ruleIds, Instant availableAt,
                                 Instant expiresAt, Instant occurredAt, SourcePosition source) {
        boolean pending = availableAt != null && availableAt.isAfter(occurredAt);
        return new Posting(member, entryId, EntryKind.EARNED, points, pending, null, orderId, null, ruleIds, pending ? availableAt : null,
                pending ? null : expiresAt, null, null, null, null, occurredAt, source);
    }

    public static Posting released(MemberKey member, String entryId, long points, String orderId, Instant expiresAt, Instant occurredAt) {
        return new Posting(member, entryId, EntryKind.RELEASED, points, true, null, orderId, null, List.of(), null, expiresAt, null, null,
                null, null, occurredAt, null);
    }

    public static Posting reversed(MemberKey member, String entryId, long points, boolean pending, RefundShortfall shortfall, String orderId,
                                   String refundId, String lotHint, Instant occurredAt, SourcePosition source) {
        return new Posting(member, entryId, EntryKind.REVERSED, points, pending, shortfall, orderId, refundId, List.of(), null, null,
                lotHint, null, null, null, occurredAt, source);
    }

    public static Posting redeemed(MemberKey member, String entryId, long points, String orderId, Spend spend, Instant occurredAt) {
        return new Posting(member, entryId, EntryKind.REDEEMED, points, false, null, orderId, null, List.of(), null, null, null, spend,
                null, null, occurredAt, null);
    }

    /** The member's lots that expired by {@code at}: they are the ones it takes from. */
    public static Posting expired(MemberKey member, String entryId, long points, Instant at) {
        return new Posting(member, entryId, EntryKind.EXPIRED, points, false, null, null, null, List.of(), null, null, null, null, null,
                null, at, null);
    }

    public static Posting adjusted(MemberKey member, String entryId, long points, String reason, String operator, Instant expiresAt,
                                   Instant occurredAt) {
        return new Posting(member, entryId, EntryKind.ADJUSTED, points, false, null, null, null, List.of(), null, expiresAt, null, null,
                reason, operator, occurredAt, null);
    }
}

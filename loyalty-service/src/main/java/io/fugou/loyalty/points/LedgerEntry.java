package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.platform.pipeline.SourcePosition;
import java.time.Instant;
import java.util.List;

/**
 * One line of a member's points ledger, as stored: what it moved (available and pending), the balances
 * after it, and its place in the member's sequence on {@code fugou.points.v1}.
 *
 * @param points    the amount as its event shows it (earned, released, taken back, spent; signed for an adjustment)
 * @param shortfall for a reversal, the points it could not take back because they were spent
 * @param expiresAt when the points this entry made available expire (null: never, or it made none available)
 */
public record LedgerEntry(MemberKey member, String entryId, EntryKind kind, long points, long availableDelta, long pendingDelta,
                          long balanceAfter, long pendingAfter, long shortfall, String orderId, String refundId, List<String> ruleIds,
                          Instant availableAt, Instant expiresAt, Posting.Spend spend, String reason, String operator, long sequence,
                          Instant occurredAt, SourcePosition source) {
}

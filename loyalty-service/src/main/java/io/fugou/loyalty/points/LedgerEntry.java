package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.platform.pipeline.SourcePosition;
import java.time.Instant;

/** One line of a member's points ledger, as stored: what changed, the balance after it, and its place in the member's sequence. */
public record LedgerEntry(MemberKey member, String entryId, String orderId, long points, long balanceAfter, long sequence,
                          Instant occurredAt, SourcePosition source) {
}

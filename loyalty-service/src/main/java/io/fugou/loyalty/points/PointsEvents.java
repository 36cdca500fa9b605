package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.points.EarningSource;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsAvailable;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsExpired;
import io.fugou.events.points.PointsRedeemed;
import io.fugou.events.points.PointsReversed;
import io.fugou.events.points.RewardKind;
import io.fugou.events.common.Money;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.Outbound;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A ledger entry as its event on {@code fugou.points.v1}: built from the stored row, so a rebuilt event is the same event. */
public final class PointsEvents {

    /** Entries in the order their events go out: each member's by sequence (they were numbered in the order applied). */
    public static final Comparator<LedgerEntry> IN_SEQUENCE = Comparator.comparing((LedgerEntry e) -> e.member().merchantId())
            .thenComparing(e -> e.member().customerId()).thenComparingLong(LedgerEntry::sequence);

    private PointsEvents() {
    }

    public static List<Outbound> of(List<LedgerEntry> entries) {
        // Entries posted in one go come numbered in the order given; only a mix (say, rebuilt events with new ones) needs sorting.
        return (inSequence(entries) ? entries.stream() : entries.stream().sorted(IN_SEQUENCE)).map(PointsEvents::of).toList();
    }

    private static boolean inSequence(List<LedgerEntry> entries) {
        Map<MemberKey, Long> last = new HashMap<>();
        for (LedgerEntry entry : entries) {
            Long before = last.put(entry.member(), entry.sequence());
            if (before != null && before > entry.sequence()) {
                return false;
            }
        }
        return true;
    }

    /** What earned an entry's points, told by the cause its id names (see the entry ids of each cause). */
    static EarningSource sourceOf(LedgerEntry entry) {
        if (entry.orderId() != null) {
            return EarningSource.ORDER;
        }
        if (entry.entryId().startsWith(INTERACTION_ENTRY)) {
            return EarningSource.INTERACTION;
        }
        return entry.entryId().startsWith(BONUS_ENTRY) ? EarningSource.CAMPAIGN_BONUS : EarningSource.OTHER;
    }

    /** Entry ids of points earned by an interaction start so. */
    public static final String INTERACTION_ENTRY = "interaction:";
    /** Entry ids of points granted by a campaign start so. */
    public static final String BONUS_ENTRY = "bonus:";

    public static Outbound of(LedgerEntry entry) {
        Object payload = switch (entry.kind()) {
            case EARNED -> PointsEarned.newBuilder()
                    .setEntryId(entry.entryId())
                    .setPoints(entry.points())
                    .setSource(sourceOf(entry))
                    .setOrderId(entry.orderId())
                    .setRuleIds(entry.ruleIds())
                    .setAvailableAt(entry.availableAt())
                    .setExpiresAt(entry.expiresAt())
                    .setBalanceAfter(entry.balanceAfter())
                    .setPendingAfter(entry.pendingAfter())
                    .build();
            case RELEASED -> PointsAvailable.newBuilder()
                    .setEntryId(entry.entryId())
                    .setPoints(entry.points())
                    .setOrderId(entry.orderId())
                    .setBalanceAfter(entry.balanceAfter())
                    .setPendingAfter(entry.pendingAfter())
                    .build();
            case REVERSED -> PointsReversed.newBuilder()
                    .setEntryId(entry.entryId())
                    .setPoints(entry.points())
                    .setOrderId(entry.orderId())
                    .setRefundId(entry.refundId())
                    .setBalanceAfter(entry.balanceAfter())
                    .setPendingAfter(entry.pendingAfter())
                    .setShortfall(entry.shortfall())
                    .build();
            case REDEEMED -> PointsRedeemed.newBuilder()
                    .setEntryId(entry.entryId())
                    .setRedemptionId(entry.spend().redemptionId())
                    .setPoints(entry.points())
                    .setReward(RewardKind.valueOf(entry.spend().reward()))
                    .setRewardId(entry.spend().rewardId())
                    .setOrderId(entry.orderId())
                    .setCashValue(entry.spend().cashMinor() == null ? null
                            : Money.newBuilder().setAmountMinor(entry.spend().cashMinor()).setCurrency(entry.spend().cashCurrency()).build())
                    .setBalanceAfter(entry.balanceAfter())
                    .build();
            case EXPIRED -> PointsExpired.newBuilder()
                    .setEntryId(entry.entryId())
                    .setPoints(entry.points())
                    .setBalanceAfter(entry.balanceAfter())
                    .build();
            case ADJUSTED -> PointsAdjusted.newBuilder()
                    .setEntryId(entry.entryId())
                    .setPoints(entry.points())
                    .setReason(entry.reason())
                    .setOperator(entry.operator())
                    .setBalanceAfter(entry.balanceAfter())
                    .build();
        };
        return Outbound.of(Topics.POINTS, PointsEvent.newBuilder()
                .setEventId(Envelopes.eventId(Topics.POINTS, entry.member().merchantId() + "/" + entry.entryId()))
                .setOccurredAt(entry.occurredAt())
                .setMerchantId(entry.member().merchantId())
                .setCustomerId(entry.member().customerId())
                .setSequence(entry.sequence())
                .setPayload(payload)
                .build());
    }
}

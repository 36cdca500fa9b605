package io.fugou.member.tiers.events;

import io.fugou.events.Topics;
import io.fugou.events.points.EntitlementDrawn;
import io.fugou.events.points.EntitlementGranted;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsAvailable;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsExpired;
import io.fugou.events.points.PointsExpiringSoon;
import io.fugou.events.points.PointsRedeemed;
import io.fugou.events.points.PointsReversed;
import io.fugou.member.program.Programs;
import io.fugou.member.tiers.GrowthLedger;
import io.fugou.member.tiers.GrowthLedger.Entry;
import io.fugou.member.tiers.GrowthLedger.Source;
import io.fugou.member.tiers.Tiers;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Points as growth, for merchants whose programme counts them ({@code growth.fromPoints}): points earned add one for
 * one, points reversed by a refund take theirs back (no more than their order's points gave). Redeeming, expiring or adjusting points does not change growth.
 */
@Configuration(proxyBeanMethods = false)
class PointsEventsPipeline {

    @Bean
    EventPipeline<PointsEvent> memberPoints(Programs programs, GrowthLedger growth, Tiers tiers) {
        EventHandler<PointsEarned> earned = events -> programs.versionsOf(events.stream().map(Inbound::merchantId).toList()).flatMap(versions -> {
            List<Entry> entries = new ArrayList<>();
            for (Inbound<PointsEarned> event : events) {
                if (versions.inForce(event.merchantId(), event.occurredAt()).program().growth().fromPoints() && event.payload().getPoints() > 0) {
                    entries.add(new Entry(event.member(), Source.POINTS, "earned/" + event.payload().getEntryId(), event.payload().getOrderId(),
                            event.payload().getPoints(), null, event.occurredAt()));
                }
            }
            return growth.record(entries).flatMap(recorded -> tiers.upgradeAfterGrowth(GrowthLedger.latestGrowth(recorded)));
        }).thenReturn(List.of());
        // A reversal takes back no more than that order's points gave (nothing when they were earned before points counted).
        EventHandler<PointsReversed> reversed = events -> programs.versionsOf(events.stream().map(Inbound::merchantId).toList()).flatMap(versions -> {
            List<Inbound<PointsReversed>> counted = events.stream()
                    .filter(event -> event.payload().getOrderId() != null && event.payload().getPoints() > 0
                            && versions.inForce(event.merchantId(), event.occurredAt()).program().growth().fromPoints())
                    .toList();
            return growth.pointsOfOrders(counted.stream().map(Inbound::merchantId).toList(), counted.stream().map(event -> event.payload().getOrderId()).toList())
                    .flatMap(given -> {
                        Map<String, Long> left = new HashMap<>(given);
                        List<Entry> entries = new ArrayList<>();
                        for (Inbound<PointsReversed> event : counted) {
                            String order = GrowthLedger.orderKey(event.merchantId(), event.payload().getOrderId());
                            long taken = Math.min(event.payload().getPoints(), left.getOrDefault(order, 0L));
                            if (taken > 0) {
                                left.merge(order, -taken, Long::sum);
                                entries.add(new Entry(event.member(), Source.POINTS, "reversed/" + event.payload().getEntryId(), event.payload().getOrderId(),
                                        -taken, null, event.occurredAt()));
                            }
                        }
                        return growth.record(entries);
                    });
        }).thenReturn(List.of());
        return EventPipeline.consume("member-points", Topics.POINTS)
                .group("member-service-points")
                .handle(PointsEarned.class, earned)
                .handle(PointsReversed.class, reversed)
                .skip(PointsAvailable.class, "growth counts points when earned, not when they become spendable")
                .skip(PointsRedeemed.class, "spending points does not take growth back")
                .skip(PointsExpired.class, "expiring points do not take growth back")
                .skip(PointsAdjusted.class, "a merchant's correction of points is not growth")
                .skip(PointsExpiringSoon.class, "a notice, not a change")
                .skip(EntitlementGranted.class, "entitlements are not points")
                .skip(EntitlementDrawn.class, "entitlements are not points")
                .build();
    }
}

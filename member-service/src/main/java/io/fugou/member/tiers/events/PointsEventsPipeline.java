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
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Points as growth, for merchants whose programme counts them ({@code growth.fromPoints}): points earned add one for
 * one, points reversed by a refund take theirs back. Redeeming, expiring or adjusting points does not change growth.
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
        EventHandler<PointsReversed> reversed = events -> programs.versionsOf(events.stream().map(Inbound::merchantId).toList()).flatMap(versions ->
                growth.record(events.stream()
                        .filter(event -> versions.inForce(event.merchantId(), event.occurredAt()).program().growth().fromPoints()
                                && event.payload().getPoints() > 0)
                        .map(event -> new Entry(event.member(), Source.POINTS, "reversed/" + event.payload().getEntryId(), event.payload().getOrderId(),
                                -event.payload().getPoints(), null, event.occurredAt()))
                        .toList())).thenReturn(List.of());
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

package io.fugou.campaign.events;

import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.coupons.CouponTemplates;
import io.fugou.campaign.coupons.Coupons;
import io.fugou.campaign.publishing.CampaignEvents;
import io.fugou.campaign.issuing.Issuer;
import io.fugou.campaign.issuing.Issuer.Trigger;
import io.fugou.campaign.members.MemberViews;
import io.fugou.events.Topics;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.lifecycle.NextOrderPredicted;
import io.fugou.events.lifecycle.RfmSegmentChanged;
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
import io.fugou.events.points.RewardKind;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What analytics-service and loyalty-service say about members: the lifecycle stage (a trigger when it moves, an
 * audience filter), the RFM segment (an audience filter), the predicted next order (for replenishment reminders), points about to expire (a trigger), and coupons bought with
 * points (into the wallet).
 */
@Configuration(proxyBeanMethods = false)
class AnalyticsEventsPipelines {

    @Bean
    EventPipeline<LifecycleEvent> campaignLifecycle(MemberViews members, Issuer issuer) {
        EventHandler<MemberLifecycleChanged> stages = events -> Flux.fromIterable(events)
                .concatMap(event -> members.stage(event.member(), event.payload().getToStage().name(), event.occurredAt())
                        // Only a stage the member is now in triggers: one arriving late, behind a newer one, does not.
                        .map(moved -> moved ? List.of(new Trigger(event.member(), TriggerType.STAGE_CHANGED, event.eventId(), null, null, null,
                                event.payload().getToStage(), null, event.occurredAt())) : List.<Trigger>of()))
                .collectList()
                .flatMap(triggers -> issuer.fire(triggers.stream().flatMap(List::stream).toList()))
                .thenReturn(List.of());
        EventHandler<RfmSegmentChanged> segments = events -> Flux.fromIterable(events)
                .concatMap(event -> members.rfmSegment(event.member(), event.payload().getSegment(), event.occurredAt()))
                .then().thenReturn(List.of());
        EventHandler<NextOrderPredicted> predictions = events -> Flux.fromIterable(events)
                .concatMap(event -> members.nextOrder(event.member(), event.payload().getPredictedAt(), event.occurredAt()))
                .then().thenReturn(List.of());
        return EventPipeline.consume("campaign-lifecycle", Topics.LIFECYCLE)
                .group("campaign-service-lifecycle")
                .handle(MemberLifecycleChanged.class, stages)
                .handle(RfmSegmentChanged.class, segments)
                .handle(NextOrderPredicted.class, predictions)
                .build();
    }

    @Bean
    EventPipeline<PointsEvent> campaignPoints(Issuer issuer, CouponTemplates templates, Coupons coupons, CampaignEvents campaignEvents,
                                              java.time.Clock clock) {
        EventHandler<PointsExpiringSoon> expiring = events -> {
            List<Trigger> triggers = new ArrayList<>();
            events.forEach(event -> triggers.add(Trigger.of(event.member(), TriggerType.POINTS_EXPIRING, event.eventId(), event.occurredAt())));
            return issuer.fire(triggers).thenReturn(List.of());
        };
        // A coupon bought with points lands in the member's wallet, once per redemption. A template the merchant has not defined
        // (or that has ended) makes the redemption a dead letter with the reason, to replay once the template is right: the
        // member paid for it, so it is never dropped.
        EventHandler<PointsRedeemed> bought = events -> {
            List<Inbound<PointsRedeemed>> couponsBought = events.stream()
                    .filter(event -> event.payload().getReward() == RewardKind.COUPON && event.payload().getRewardId() != null).toList();
            return templates.of(couponsBought.stream().map(Inbound::merchantId).toList(),
                            couponsBought.stream().map(event -> event.payload().getRewardId()).toList())
                    .flatMapMany(known -> Flux.fromIterable(couponsBought).concatMap(event -> {
                        String templateId = event.payload().getRewardId();
                        // Valid from when it lands, at the earliest: a redemption replayed from the dead letters days later
                        // must not arrive expired.
                        java.time.Instant from = event.occurredAt().isAfter(clock.instant()) ? event.occurredAt() : clock.instant();
                        CampaignDefinition.Coupon terms = known.get(event.merchantId() + '\u0000' + templateId);
                        if (terms == null) {
                            return Mono.error(new InvalidEventException("the coupon template " + templateId + " bought with points is not defined: "
                                    + "PUT /api/v1/coupon-templates/" + templateId + ", then replay this record", null));
                        }
                        if (terms.validUntil() != null && !terms.validUntil().isAfter(from)) {
                            return Mono.error(new InvalidEventException("the coupon template " + templateId + " bought with points ended at "
                                    + terms.validUntil() + ": give it a later validUntil or validDays, then replay this record", null));
                        }
                        return coupons.bought(event.member(), event.payload().getRedemptionId(), terms, from)
                                .map(issued -> new CampaignEvents.Pending(event.member(), "coupon/bought/" + event.payload().getRedemptionId(),
                                        event.occurredAt(), issued));
                    }))
                    .collectList()
                    .flatMap(campaignEvents::publish)
                    .thenReturn(List.of());
        };
        return EventPipeline.consume("campaign-points", Topics.POINTS)
                .group("campaign-service-points")
                .handle(PointsExpiringSoon.class, expiring)
                .skip(PointsEarned.class, "no campaign reacts to points earned yet")
                .skip(PointsAvailable.class, "no campaign reacts to points becoming available")
                .handle(PointsRedeemed.class, bought)
                .skip(PointsReversed.class, "no campaign reacts to a reversal")
                .skip(PointsExpired.class, "the warning before is what campaigns act on")
                .skip(PointsAdjusted.class, "a merchant's correction triggers nothing")
                .skip(EntitlementGranted.class, "no campaign reacts to entitlements yet")
                .skip(EntitlementDrawn.class, "no campaign reacts to entitlements yet")
                .build();
    }
}

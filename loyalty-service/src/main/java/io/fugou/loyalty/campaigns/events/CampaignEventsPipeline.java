package io.fugou.loyalty.campaigns.events;

import io.fugou.events.Topics;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignAssigned;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponExpired;
import io.fugou.events.campaigns.CouponReturned;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.campaigns.CouponRedeemed;
import io.fugou.loyalty.points.PointsEvents;
import io.fugou.loyalty.points.PointsLedger;
import io.fugou.loyalty.points.Posting;
import io.fugou.loyalty.rules.ReturnWindow;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.loyalty.rules.RuleVersion;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/**
 * Bonus points a campaign grants ({@code BonusPointsGranted} on {@code fugou.campaigns.v1}), credited once
 * per grant, available at once. Their events go through the outbox, relayed by the order consumers, so
 * each member's points events stay in ledger order whichever topic caused them; a grant seen before
 * changes nothing (its events were stored with it).
 */
@Configuration(proxyBeanMethods = false)
class CampaignEventsPipeline {

    @Bean
    EventPipeline<CampaignEvent> loyaltyCampaigns(PointsLedger ledger, RuleBook rules, Outbox outbox) {
        EventHandler<BonusPointsGranted> bonus = new EventHandler<>() {
            @Override
            public void check(Inbound<BonusPointsGranted> event) {
                if (event.payload().getPoints() <= 0) {
                    throw new InvalidEventException("BonusPointsGranted " + event.payload().getGrantId() + " (event " + event.eventId()
                            + ") grants " + event.payload().getPoints() + " points: a grant must be positive", null);
                }
            }

            @Override
            public Mono<List<Outbound>> apply(List<Inbound<BonusPointsGranted>> events) {
                List<String> merchants = events.stream().map(Inbound::merchantId).toList();
                List<String> entryIds = events.stream().map(e -> PointsEvents.BONUS_ENTRY + e.payload().getGrantId()).toList();
                return ledger.existing(merchants, entryIds).zipWith(rules.versionsOf(merchants)).flatMap(both -> {
                    Set<String> taken = new HashSet<>(both.getT1());
                    List<Posting> postings = new ArrayList<>();
                    for (int i = 0; i < events.size(); i++) {
                        Inbound<BonusPointsGranted> event = events.get(i);
                        if (!taken.add(event.merchantId() + " " + entryIds.get(i))) {
                            continue; // granted before (or twice in this batch): once
                        }
                        RuleVersion version = both.getT2().inForce(event.merchantId(), event.occurredAt());
                        BonusPointsGranted grant = event.payload();
                        postings.add(Posting.earned(event.member(), entryIds.get(i), grant.getPoints(), null,
                                List.of("rules-v" + version.version(), "campaign:" + grant.getCampaignId()), null,
                                grant.getExpiresAt() != null ? grant.getExpiresAt() : ReturnWindow.pointsExpireAfter(version.rules(), event.occurredAt()),
                                event.occurredAt(), event.position()));
                    }
                    return ledger.post(postings).flatMap(entries -> outbox.append(PointsEvents.of(entries))).thenReturn(List.<Outbound>of());
                });
            }
        };
        return EventPipeline.consume("loyalty-campaigns", Topics.CAMPAIGNS)
                .group("loyalty-service-campaigns")
                .handle(BonusPointsGranted.class, bonus)
                .skip(CampaignAssigned.class, "assignments matter to campaigns and analytics, not to points")
                .skip(CouponIssued.class, "coupons are campaign-service's; points bought coupons are announced by PointsRedeemed")
                .skip(CouponRedeemed.class, "a coupon used on an order changes what was paid, which the order already says")
                .skip(CouponExpired.class, "coupons are campaign-service's")
                .skip(CouponReturned.class, "coupons are campaign-service's")
                .build();
    }
}

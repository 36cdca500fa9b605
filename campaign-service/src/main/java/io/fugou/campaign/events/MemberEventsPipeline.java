package io.fugou.campaign.events;

import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.issuing.BrowsingNudges;
import io.fugou.campaign.issuing.Issuer;
import io.fugou.campaign.issuing.Issuer.Trigger;
import io.fugou.campaign.issuing.PendingTriggers;
import io.fugou.campaign.members.MemberViews;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.members.MemberConsentChanged;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberErased;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.members.MemberProfileUpdated;
import io.fugou.events.members.MemberTierChanged;
import io.fugou.events.members.PaidMembershipLapsed;
import io.fugou.events.members.PaidMembershipRenewed;
import io.fugou.events.members.PaidMembershipStarted;
import io.fugou.events.members.TierChangeDirection;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;

/**
 * member-service's events: the member projection audiences are judged by (tier, how they joined, consent, paid plans, erasure),
 * and the triggers they carry (joined, joined through a referral, went up a tier). Its consumers relay campaign-service's
 * outbox, where every campaign event goes.
 */
@Configuration(proxyBeanMethods = false)
class MemberEventsPipeline {

    @Bean
    EventPipeline<MemberEvent> campaignMembers(MemberViews members, Issuer issuer, PendingTriggers pending, BrowsingNudges nudges) {
        EventHandler<MemberEnrolled> enrolled = events -> pending.lock(events.stream().map(Inbound::member).toList())
                .then(members.enrolled(events.stream().map(event -> new MemberViews.Joined(event.member(), event.payload().getTier(),
                        event.payload().getChannel().name(), event.payload().getReferrerCustomerId(), event.occurredAt())).toList()))
                .then(pending.release(events.stream().collect(Collectors.toMap(Inbound::member, Inbound::occurredAt, (a, b) -> a.isBefore(b) ? a : b))))
                .flatMap(ordersBeforeJoining -> issuer.fire(triggersOfEnrollments(events, ordersBeforeJoining)))
                .thenReturn(List.of());
        EventHandler<MemberTierChanged> tiers = events -> Flux.fromIterable(events)
                .concatMap(event -> members.tier(event.member(), event.payload().getToTier(), event.occurredAt()))
                .then(issuer.fire(events.stream().filter(event -> event.payload().getDirection() == TierChangeDirection.UPGRADE)
                        .map(event -> new Trigger(event.member(), TriggerType.TIER_UPGRADED, event.eventId(), event.payload().getToTier(), null, null, null, null,
                                event.occurredAt()))
                        .toList()))
                .thenReturn(List.of());
        EventHandler<MemberConsentChanged> consents = events -> Flux.fromIterable(events)
                .concatMap(event -> members.consents(event.member(), granted(event.payload()), event.occurredAt()))
                .then().thenReturn(List.of());
        EventHandler<MemberErased> erased = events -> Flux.fromIterable(events)
                .concatMap(event -> members.erased(event.member(), event.occurredAt())
                        .then(pending.erase(event.member())).then(nudges.erase(event.member())))
                .then().thenReturn(List.of());
        EventHandler<PaidMembershipStarted> started = events -> Flux.fromIterable(events)
                .concatMap(event -> members.paidPlan(event.member(), event.payload().getPlanId(), true, event.occurredAt()))
                .then().thenReturn(List.of());
        EventHandler<PaidMembershipRenewed> renewed = events -> Flux.fromIterable(events)
                .concatMap(event -> members.paidPlan(event.member(), event.payload().getPlanId(), true, event.occurredAt()))
                .then().thenReturn(List.of());
        EventHandler<PaidMembershipLapsed> lapsed = events -> Flux.fromIterable(events)
                .concatMap(event -> members.paidPlan(event.member(), event.payload().getPlanId(), false, event.occurredAt()))
                .then().thenReturn(List.of());
        return EventPipeline.consume("campaign-members", Topics.MEMBERS)
                .handle(MemberEnrolled.class, enrolled)
                .handle(MemberTierChanged.class, tiers)
                .handle(MemberConsentChanged.class, consents)
                .handle(MemberErased.class, erased)
                .skip(MemberProfileUpdated.class, "the profile itself (the birthday) is read from fugou.member-profiles.v1")
                .handle(PaidMembershipStarted.class, started)
                .handle(PaidMembershipRenewed.class, renewed)
                .handle(PaidMembershipLapsed.class, lapsed)
                .publishesTo(Topics.CAMPAIGNS, Topics.NOTIFICATIONS)
                .relaysOutbox()
                .build();
    }

    /**
     * Each enrollment triggers MEMBER_ENROLLED; one through a referral also REFERRAL_ENROLLED, for the new member and for the
     * referrer. The orders the buyer paid just before joining fire now, a first one also REFERRED_FIRST_ORDER for the referrer.
     */
    private static List<Trigger> triggersOfEnrollments(List<Inbound<MemberEnrolled>> events, List<Trigger> ordersBeforeJoining) {
        List<Trigger> triggers = new ArrayList<>(ordersBeforeJoining);
        for (Trigger order : ordersBeforeJoining) {
            String referrer = events.stream().filter(event -> event.member().equals(order.member())).map(event -> event.payload().getReferrerCustomerId())
                    .filter(java.util.Objects::nonNull).findFirst().orElse(null);
            if (order.type() == TriggerType.FIRST_ORDER && referrer != null) {
                triggers.add(Trigger.of(new MemberKey(order.member().merchantId(), referrer), TriggerType.REFERRED_FIRST_ORDER,
                        "referred-first-order/" + order.member().customerId(), order.at()));
            }
        }
        for (Inbound<MemberEnrolled> event : events) {
            triggers.add(Trigger.of(event.member(), TriggerType.MEMBER_ENROLLED, event.eventId(), event.occurredAt()));
            String referrer = event.payload().getReferrerCustomerId();
            if (referrer != null) {
                triggers.add(Trigger.of(event.member(), TriggerType.REFERRAL_ENROLLED, event.eventId(), event.occurredAt()));
                triggers.add(Trigger.of(new MemberKey(event.merchantId(), referrer), TriggerType.REFERRAL_ENROLLED, "referred/" + event.customerId(),
                        event.occurredAt()));
            }
        }
        return triggers;
    }

    /** The channels granted, as ConsentChannel names; "all" when the member consented without naming channels. */
    private static List<String> granted(MemberConsentChanged change) {
        if (!change.getMarketingConsent()) {
            return List.of();
        }
        if (change.getChannels().isEmpty()) {
            return List.of("SMS", "APP_PUSH", "WECHAT", "EMAIL");
        }
        return change.getChannels().stream().map(channel -> channel.toUpperCase(Locale.ROOT)).toList();
    }
}

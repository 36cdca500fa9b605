package io.fugou.loyalty.tiers.events;

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
import io.fugou.loyalty.tiers.MemberTiers;
import io.fugou.loyalty.tiers.MemberTiers.TierHeld;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The members' tiers, kept from member-service's events for the tier multipliers. Publishes nothing. */
@Configuration(proxyBeanMethods = false)
class MemberEventsPipeline {

    @Bean
    EventPipeline<MemberEvent> loyaltyMembers(MemberTiers tiers) {
        EventHandler<MemberEnrolled> enrolled = events -> tiers.record(events.stream()
                .map(e -> new TierHeld(e.member(), e.payload().getTier(), e.occurredAt(), e.eventId())).toList()).thenReturn(List.of());
        EventHandler<MemberTierChanged> changed = events -> tiers.record(events.stream()
                .map(e -> new TierHeld(e.member(), e.payload().getToTier(), e.occurredAt(), e.eventId())).toList()).thenReturn(List.of());
        return EventPipeline.consume("loyalty-members", Topics.MEMBERS)
                .group("loyalty-service-members")
                .handle(MemberEnrolled.class, enrolled)
                .handle(MemberTierChanged.class, changed)
                .skip(MemberProfileUpdated.class, "interaction points for a completed profile are posted by the shop")
                .skip(MemberConsentChanged.class, "consent matters to campaigns, not to points")
                .skip(PaidMembershipStarted.class, "paid membership perks are not points rules yet")
                .skip(PaidMembershipRenewed.class, "paid membership perks are not points rules yet")
                .skip(PaidMembershipLapsed.class, "paid membership perks are not points rules yet")
                .skip(MemberErased.class, "the ledger keeps no personal data; its entries stay for the merchant's books")
                .build();
    }
}

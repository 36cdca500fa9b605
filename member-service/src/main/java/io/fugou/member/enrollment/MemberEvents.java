package io.fugou.member.enrollment;

import io.fugou.events.Topics;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.Outbound;
import org.apache.avro.specific.SpecificRecord;

/** member-service's events on {@code fugou.members.v1}, built from stored rows (an event rebuilt is the same event). */
public final class MemberEvents {

    private MemberEvents() {
    }

    public static Outbound enrolled(Member member, long sequence) {
        return event(member.merchantId(), member.customerId(), "enrolled", member.enrolledAt(), sequence, MemberEnrolled.newBuilder()
                .setChannel(member.channel())
                .setReferrerCustomerId(member.referrerCustomerId())
                .setTier(member.tier())
                .setEnrollmentRuleId(member.enrollmentRuleId())
                .setRecruitmentCode(member.recruitmentCode())
                .setCampaignId(member.campaignId())
                .setShareCode(member.shareCode())
                .build());
    }

    /** Numbered by the member's sequence, which also makes its id unique among the member's tier changes. */
    public static Outbound tierChanged(io.fugou.events.MemberKey member, long sequence, java.time.Instant at,
                                       io.fugou.events.members.MemberTierChanged change) {
        return event(member.merchantId(), member.customerId(), "tier-changed/" + sequence, at, sequence, change);
    }

    /** One member event; {@code fact} names what happened to the member, unique among the member's events. */
    static Outbound event(String merchantId, String customerId, String fact, java.time.Instant at, long sequence, SpecificRecord payload) {
        return Outbound.of(Topics.MEMBERS, MemberEvent.newBuilder()
                .setEventId(Envelopes.eventId(Topics.MEMBERS, merchantId + ":" + customerId + "/" + fact))
                .setOccurredAt(at)
                .setMerchantId(merchantId)
                .setCustomerId(customerId)
                .setSequence(sequence)
                .setPayload(payload)
                .build());
    }
}

package io.fugou.member.events;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.members.MemberConsentChanged;
import io.fugou.events.members.MemberErased;
import io.fugou.events.members.MemberProfileUpdated;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.Outbound;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** member-service's events on {@code fugou.members.v1}, built from stored rows (an event rebuilt is the same event). */
public final class MemberEvents {

    private MemberEvents() {
    }

    public static Outbound enrolled(io.fugou.member.enrollment.Member member, long sequence) {
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

    public static Outbound profileUpdated(MemberKey member, long sequence, Instant at, List<String> changedFields, boolean completed) {
        return event(member.merchantId(), member.customerId(), "profile-updated/" + sequence, at, sequence, MemberProfileUpdated.newBuilder()
                .setChangedFields(changedFields).setProfileCompleted(completed).build());
    }

    public static Outbound consentChanged(MemberKey member, long sequence, Instant at, boolean marketingConsent, List<String> channels) {
        return event(member.merchantId(), member.customerId(), "consent-changed/" + sequence, at, sequence, MemberConsentChanged.newBuilder()
                .setMarketingConsent(marketingConsent).setChannels(channels).build());
    }

    public static Outbound erased(MemberKey member, long sequence, Instant at, String requestId) {
        return event(member.merchantId(), member.customerId(), "erased/" + sequence, at, sequence, MemberErased.newBuilder()
                .setRequestId(requestId).build());
    }

    /** A paid membership started, renewed or ended. */
    public static Outbound paidMembership(MemberKey member, long sequence, Instant at, SpecificRecord change) {
        return event(member.merchantId(), member.customerId(), "paid-membership/" + sequence, at, sequence, change);
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

package io.fugou.member.enrollment;

import io.fugou.events.MemberKey;
import io.fugou.events.common.EnrollmentChannel;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A member: how they came (channel, code and its campaign, referrer), their own share code, and their tier: since when,
 * why ({@code tierReason}, null since enrollment), and a tier the merchant set until a day, if any; when their personal
 * data was last erased, if ever; their lifecycle stage and RFM segment as analytics-service last computed them.
 */
public record Member(String merchantId, String customerId, EnrollmentChannel channel, String recruitmentCode, String campaignId,
                     String referrerCustomerId, String shareCode, String tier, String enrollmentRuleId, Instant enrolledAt,
                     Instant tierSince, String tierReason, String manualTier, LocalDate manualTierUntil, Instant erasedAt, String stage,
                     String rfmSegment) {

    public MemberKey key() {
        return new MemberKey(merchantId, customerId);
    }
}

package io.fugou.member.enrollment;

import io.fugou.events.MemberKey;
import io.fugou.events.common.EnrollmentChannel;
import java.time.Instant;

/** A member as enrolled: how they came (channel, code and its campaign, referrer), their own share code and their tier. */
public record Member(String merchantId, String customerId, EnrollmentChannel channel, String recruitmentCode, String campaignId,
                     String referrerCustomerId, String shareCode, String tier, String enrollmentRuleId, Instant enrolledAt) {

    public MemberKey key() {
        return new MemberKey(merchantId, customerId);
    }
}

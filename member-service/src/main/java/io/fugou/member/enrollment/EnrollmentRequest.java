package io.fugou.member.enrollment;

import io.fugou.events.MemberKey;
import io.fugou.events.common.EnrollmentChannel;
import java.time.Instant;

/**
 * A buyer asking to become a member, from the API, the shop's events or an order that qualifies.
 *
 * @param channel            the entry point; a recruitment code's own channel wins over it, and a referral
 *                           with no channel given is REFERRAL
 * @param recruitmentCode    the merchant's code the buyer came through, or null
 * @param referralCode       a member's share code the buyer came through, or null
 * @param referrerCustomerId the member who referred the buyer, when the shop knows them rather than their code
 * @param enrollmentRuleId   the auto-enrollment rule that enrolls the buyer, or null
 * @param tier               the tier to start in (an imported member keeps theirs), or null for the ladder's first
 * @param at                 when the buyer joined (the event's time)
 */
public record EnrollmentRequest(MemberKey member, EnrollmentChannel channel, String recruitmentCode, String referralCode,
                                String referrerCustomerId, String enrollmentRuleId, String tier, Instant at) {
}

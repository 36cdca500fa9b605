package io.fugou.member.recruitment;

import io.fugou.events.common.EnrollmentChannel;
import java.time.Instant;

/** A code a merchant prints on a poster, puts in a QR code or a link: enrollments that carry it are attributed to it. */
public record RecruitmentCode(String code, EnrollmentChannel channel, String campaignId, String name, Instant createdAt) {
}

package io.fugou.member.profile;

import io.fugou.events.MemberKey;
import io.fugou.events.common.Gender;
import io.fugou.events.customers.ProfileField;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * A change to a buyer's profile, as the shop reports it: each of birthday, gender and region set (a value), cleared
 * (named in {@code cleared}) or unchanged (null); the overall consent if it changed; the consent decisions made.
 */
public record ProfileChange(MemberKey member, LocalDate birthday, Gender gender, String region, Set<ProfileField> cleared,
                            Boolean marketingConsent, List<Profile.Decision> consents, Instant at) {
}

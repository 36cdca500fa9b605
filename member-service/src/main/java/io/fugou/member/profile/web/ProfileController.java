package io.fugou.member.profile.web;

import io.fugou.events.MemberKey;
import io.fugou.events.common.ConsentChannel;
import io.fugou.events.common.ConsentSource;
import io.fugou.events.common.Gender;
import io.fugou.events.customers.ProfileField;
import io.fugou.member.enrollment.Members;
import io.fugou.member.profile.Profile;
import io.fugou.member.profile.ProfileChange;
import io.fugou.member.profile.Profiles;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * A member's profile and consent changed by the shop over the API, and their personal data erased. Neither answer
 * repeats personal data (204), so none is kept with an Idempotency-Key's stored response.
 */
@RestController
public class ProfileController {

    /** A consent decision; {@code at} defaults to now, {@code source} to ACCOUNT_SETTINGS. */
    public record ConsentRequest(ConsentChannel channel, Boolean granted, Instant at, ConsentSource source, String sourceDetail) {
    }

    /**
     * What changed: each of birthday, gender and region set (a value) or removed (named in {@code clear}); consent
     * decisions per channel, or {@code marketingConsent} for all channels at once.
     */
    public record ProfileRequest(LocalDate birthday, Gender gender, String region, List<ProfileField> clear, Boolean marketingConsent,
                                 List<ConsentRequest> consents) {
    }

    private final Profiles profiles;
    private final Members members;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public ProfileController(Profiles profiles, Members members, ReactiveTransactionManager transactions, Clock clock) {
        this.profiles = profiles;
        this.members = members;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    @Operation(summary = "Changes a member's profile and consent; publishes which fields changed (never the values), a MemberConsentChanged "
            + "when the channels they may be reached on changed, and the whole profile on the compacted fugou.member-profiles.v1")
    @PatchMapping("/api/v1/members/{customerId}/profile")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "a birthday, and no more SMS",
            value = "{\"birthday\": \"1990-05-20\", \"consents\": [{\"channel\": \"SMS\", \"granted\": false, \"source\": \"UNSUBSCRIBE_LINK\"}]}")))
    public Mono<Void> change(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @PathVariable String customerId, @RequestBody ProfileRequest request) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ProfileChange change = change(new MemberKey(merchant.value(), customerId), request, now);
        return members.existing(merchant, customerId)
                .then(profiles.lock(List.of(change.member())))
                .then(profiles.apply(List.of(change)))
                .as(transactional::transactional);
    }

    @Operation(summary = "Erases a member's personal data: the profile leaves the database, MemberErased tells every other service to forget "
            + "theirs, and a tombstone removes the profile from fugou.member-profiles.v1. The membership stays, without personal data.")
    @DeleteMapping("/api/v1/members/{customerId}/personal-data")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public Mono<Void> erase(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @PathVariable String customerId) {
        MemberKey member = new MemberKey(merchant.value(), customerId);
        return members.existing(merchant, customerId)
                .then(profiles.lock(List.of(member)))
                .then(profiles.erase(List.of(new Profiles.Erasure(member, null, clock.instant().truncatedTo(ChronoUnit.MILLIS)))))
                .as(transactional::transactional);
    }

    private static ProfileChange change(MemberKey member, ProfileRequest request, Instant now) {
        Set<ProfileField> cleared = EnumSet.noneOf(ProfileField.class);
        List<ProfileField> clear = request.clear() == null ? List.of() : request.clear();
        for (int i = 0; i < clear.size(); i++) {
            if (clear.get(i) == null || clear.get(i) == ProfileField.OTHER) {
                throw new InvalidFieldException("clear[" + i + "]", "must be BIRTHDAY, GENDER or REGION");
            }
            cleared.add(clear.get(i));
        }
        if (request.birthday() != null) {
            if (cleared.contains(ProfileField.BIRTHDAY)) {
                throw new InvalidFieldException("birthday", "is both given and cleared");
            }
            if (request.birthday().isAfter(LocalDate.ofInstant(now.plus(Duration.ofDays(1)), java.time.ZoneOffset.UTC))) {
                throw new InvalidFieldException("birthday", "must not be in the future");
            }
            if (request.birthday().getYear() < 1900) {
                throw new InvalidFieldException("birthday", "must be in 1900 or later");
            }
        }
        if (request.gender() != null && cleared.contains(ProfileField.GENDER)) {
            throw new InvalidFieldException("gender", "is both given and cleared");
        }
        if (request.region() != null && (cleared.contains(ProfileField.REGION) || request.region().isBlank() || request.region().length() > 50)) {
            throw new InvalidFieldException("region", "must be a province or city code of 1 to 50 characters, and not also cleared");
        }
        List<Profile.Decision> decisions = new ArrayList<>();
        List<ConsentRequest> consents = request.consents() == null ? List.of() : request.consents();
        for (int i = 0; i < consents.size(); i++) {
            ConsentRequest consent = consents.get(i);
            if (consent == null || consent.channel() == null || consent.channel() == ConsentChannel.OTHER) {
                throw new InvalidFieldException("consents[" + i + "].channel", "must be SMS, APP_PUSH, WECHAT or EMAIL");
            }
            if (consent.granted() == null) {
                throw new InvalidFieldException("consents[" + i + "].granted", "must say whether the member agreed (true) or declined or withdrew (false)");
            }
            Instant at = consent.at() == null ? now : consent.at().truncatedTo(ChronoUnit.MILLIS);
            if (at.isAfter(now.plus(Duration.ofMinutes(5)))) {
                throw new InvalidFieldException("consents[" + i + "].at", "must not be in the future");
            }
            decisions.add(new Profile.Decision(consent.channel(), consent.granted(), at,
                    consent.source() == null ? ConsentSource.ACCOUNT_SETTINGS : consent.source(), consent.sourceDetail()));
        }
        if (request.marketingConsent() != null && !decisions.isEmpty()) {
            throw new InvalidFieldException("marketingConsent", "give consent per channel or for all channels at once, not both");
        }
        return new ProfileChange(member, request.birthday(), request.gender(), request.region(), cleared, request.marketingConsent(), decisions, now);
    }
}

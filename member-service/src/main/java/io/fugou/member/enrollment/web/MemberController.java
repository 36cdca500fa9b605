package io.fugou.member.enrollment.web;

import io.fugou.events.MemberKey;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.member.enrollment.EnrollmentRequest;
import io.fugou.member.enrollment.Enrollments;
import io.fugou.member.enrollment.Member;
import io.fugou.member.enrollment.Members;
import io.fugou.events.lifecycle.LifecycleStage;
import io.fugou.member.benefits.Quotas;
import io.fugou.member.paid.PaidMemberships;
import io.fugou.member.paid.web.PaidMembershipController;
import io.fugou.member.program.MembershipProgram.Benefits;
import io.fugou.member.profile.Profile;
import io.fugou.member.profile.Profiles;
import io.fugou.member.program.MembershipProgram;
import io.fugou.member.program.ProgramVersion;
import io.fugou.member.tiers.GrowthLedger;
import io.fugou.member.tiers.Tiers;
import io.fugou.member.program.Programs;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.web.InvalidFieldException;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/** Enrollment by the shop, and a merchant's members: one, or a filtered list a page at a time. */
@RestController
public class MemberController {

    /** Channels only the platform sets: by auto-enrollment rules, and by the import. */
    private static final Set<EnrollmentChannel> NOT_BY_REQUEST = EnumSet.of(EnrollmentChannel.PURCHASE, EnrollmentChannel.SPEND_THRESHOLD,
            EnrollmentChannel.IMPORT);

    /**
     * A buyer joining. {@code channel} may be left out when a recruitment code or a referral is given (the code's
     * channel, or REFERRAL); {@code referralCode} is a member's share code, {@code referrerCustomerId} the member
     * when the shop knows them instead; {@code enrolledAt} defaults to now.
     */
    public record EnrollRequest(String customerId, EnrollmentChannel channel, String recruitmentCode, String referralCode,
                                String referrerCustomerId, Instant enrolledAt) {
    }

    /**
     * A member. {@code growth}: the score now, over the programme's window; {@code nextTier}: the tier above and the growth
     * still needed for it (null at the top); {@code manualTier}: a tier the merchant set, held until {@code manualTierUntil}.
     * {@code profile}: birthday, gender, region and consent per channel (null when the shop gave none, or after erasure).
     * {@code benefits}: what the tier and any paid plan give now; {@code quotas}: this month's, with what is left.
     * {@code referrals}, the growth figures, the profile, benefits, quotas and paid memberships are given for one member, not in lists.
     */
    public record MemberResponse(String customerId, String tier, Instant tierSince, String tierReason, String manualTier,
                                 LocalDate manualTierUntil, Long growth, NextTier nextTier, EnrollmentChannel channel, String recruitmentCode,
                                 String campaignId, String referrerCustomerId, String shareCode, String enrollmentRuleId, Instant enrolledAt,
                                 Long referrals, Profile profile, Instant erasedAt, String stage, String rfmSegment, Benefits benefits,
                                 List<Quotas.Status> quotas, List<PaidMembershipController.MembershipResponse> paidMemberships) {

        static MemberResponse of(Member member, Long referrals, Long growth, NextTier nextTier, Profile profile, Benefits benefits,
                                 List<Quotas.Status> quotas, List<PaidMembershipController.MembershipResponse> paidMemberships) {
            return new MemberResponse(member.customerId(), member.tier(), member.tierSince(), member.tierReason(), member.manualTier(),
                    member.manualTierUntil(), growth, nextTier, member.channel(), member.recruitmentCode(), member.campaignId(),
                    member.referrerCustomerId(), member.shareCode(), member.enrollmentRuleId(), member.enrolledAt(), referrals, profile,
                    member.erasedAt(), member.stage(), member.rfmSegment(), benefits, quotas, paidMemberships);
        }

        static MemberResponse of(Member member) {
            return of(member, null, null, null, null, null, null, null);
        }
    }

    public record NextTier(String code, String name, long threshold, long growthNeeded) {
    }

    /** A tier the merchant sets by hand, held until {@code until} begins (a day in the merchant's zone). */
    public record ManualTier(String tier, LocalDate until) {
    }

    private final Enrollments enrollments;
    private final Members members;
    private final Programs programs;
    private final GrowthLedger growth;
    private final Tiers tiers;
    private final Profiles profiles;
    private final Quotas quotas;
    private final PaidMemberships paid;
    private final Outbox outbox;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public MemberController(Enrollments enrollments, Members members, Programs programs, GrowthLedger growth, Tiers tiers, Profiles profiles,
                            Quotas quotas, PaidMemberships paid, Outbox outbox, ReactiveTransactionManager transactions, Clock clock) {
        this.outbox = outbox;
        this.profiles = profiles;
        this.quotas = quotas;
        this.paid = paid;
        this.enrollments = enrollments;
        this.members = members;
        this.programs = programs;
        this.growth = growth;
        this.tiers = tiers;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    @Operation(summary = "Makes a buyer a member (201), or answers the member they already are (200): enrolling twice creates nothing twice. "
            + "Send an Idempotency-Key.")
    @PostMapping("/api/v1/members")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = {
            @ExampleObject(name = "from a poster's QR code", value = "{\"customerId\": \"buyer-1001\", \"recruitmentCode\": \"SPRING-POSTER\"}"),
            @ExampleObject(name = "from a member's shared link", value = "{\"customerId\": \"buyer-1002\", \"channel\": \"SHARED_LINK\", \"referralCode\": \"7KQ2M9XH4D\"}"),
            @ExampleObject(name = "from the shop's home page", value = "{\"customerId\": \"buyer-1003\", \"channel\": \"SHOP_HOME\"}")}))
    public Mono<ResponseEntity<MemberResponse>> enroll(MerchantId merchant, @RequestBody EnrollRequest request) {
        if (request.customerId() == null || request.customerId().isBlank() || request.customerId().length() > 200) {
            throw new InvalidFieldException("customerId", "must be the shop's id of the buyer (1 to 200 characters)");
        }
        if (request.channel() == null && request.recruitmentCode() == null && request.referralCode() == null && request.referrerCustomerId() == null) {
            throw new InvalidFieldException("channel", "must name the entry point (SHOP_HOME, POSTER...) unless a recruitmentCode or referral says it");
        }
        if (request.channel() != null && NOT_BY_REQUEST.contains(request.channel())) {
            throw new InvalidFieldException("channel", request.channel() + " is set by auto-enrollment rules or the import, not by a request");
        }
        if (request.referralCode() != null && request.referrerCustomerId() != null) {
            throw new InvalidFieldException("referrerCustomerId", "give the referrer's share code or their customer id, not both");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant at = request.enrolledAt() == null ? now : request.enrolledAt().truncatedTo(ChronoUnit.MILLIS);
        if (at.isAfter(now.plus(Duration.ofMinutes(5)))) {
            throw new InvalidFieldException("enrolledAt", "must not be in the future");
        }
        MemberKey buyer = new MemberKey(merchant.value(), request.customerId());
        EnrollmentRequest enrollment = new EnrollmentRequest(buyer, request.channel(), request.recruitmentCode(), request.referralCode(),
                request.referrerCustomerId(), null, null, at);
        return enrollments.enroll(List.of(enrollment), Enrollments.Unresolved.REFUSE)
                .flatMap(created -> created.isEmpty()
                        ? members.find(merchant, request.customerId()).map(existing -> ResponseEntity.ok(MemberResponse.of(existing.member())))
                        : Mono.just(ResponseEntity.created(UriComponentsBuilder.fromPath("/api/v1/members/{customerId}")
                                        .buildAndExpand(request.customerId()).encode().toUri())
                                .body(MemberResponse.of(created.get(0)))))
                .as(outbox::appendingOnceAtTheEnd)
                .as(transactional::transactional);
    }

    @Operation(summary = "One member: how they came (channel, code, campaign, referrer), their share code, tier and how many they referred")
    @GetMapping("/api/v1/members/{customerId}")
    public Mono<MemberResponse> member(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @PathVariable String customerId) {
        Instant now = clock.instant();
        return members.existing(merchant, customerId)
                .zipWith(programs.inForce(merchant, now))
                .flatMap(found -> {
                    Member member = found.getT1().member();
                    MembershipProgram program = found.getT2().program();
                    MemberKey key = member.key();
                    return Mono.zip(growth.scores(List.of(Tiers.window(key, program, now))), profiles.of(List.of(key)),
                            quotas.benefitsOf(merchant, customerId, now), quotas.status(merchant, customerId, now),
                            paid.of(merchant, customerId).map(membership -> PaidMembershipController.MembershipResponse.of(membership, now)).collectList())
                            .map(both -> {
                        long score = both.getT1().getOrDefault(key, 0L);
                        MembershipProgram.Tier above = program.above(member.tier());
                        NextTier next = above == null ? null : new NextTier(above.code(), above.name(), above.threshold(),
                                Math.max(0, above.threshold() - score));
                        return MemberResponse.of(member, found.getT1().referrals(), score, next, both.getT2().get(key), both.getT3(), both.getT4(),
                                both.getT5());
                    });
                });
    }

    @Operation(summary = "Sets a member's tier by hand until a day (in the merchant's zone), whatever their growth; after it the tier the "
            + "growth earns applies again. A MemberTierChanged (reason MANUAL) says so.")
    @PutMapping("/api/v1/members/{customerId}/tier")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "gold for a VIP until the new year",
            value = "{\"tier\": \"gold\", \"until\": \"2027-01-01\"}")))
    public Mono<MemberResponse> setTier(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @PathVariable String customerId, @RequestBody ManualTier request) {
        return tiers.setManual(merchant, customerId, request.tier(), request.until(), clock.instant().truncatedTo(ChronoUnit.MILLIS))
                .then(member(merchant, customerId))
                .as(transactional::transactional);
    }

    @Operation(summary = "The merchant's members, the latest enrolled first, filtered by channel, tier, recruitment code, referrer, "
            + "lifecycle stage, paid plan held now and enrollment time (enrolledFrom included, enrolledBefore not); pass nextCursor back as cursor")
    @GetMapping("/api/v1/members")
    public Mono<Page<MemberResponse>> members(MerchantId merchant, PageRequest page,
                                              @io.swagger.v3.oas.annotations.Parameter(example = "POSTER") @RequestParam(required = false) EnrollmentChannel channel,
                                              @io.swagger.v3.oas.annotations.Parameter(example = "gold") @RequestParam(required = false) String tier,
                                              @io.swagger.v3.oas.annotations.Parameter(example = "SPRING-POSTER") @RequestParam(required = false) String recruitmentCode,
                                              @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @RequestParam(required = false) String referrerCustomerId,
                                              @io.swagger.v3.oas.annotations.Parameter(example = "2027-01-01T00:00:00Z") @RequestParam(required = false) Instant enrolledFrom,
                                              @io.swagger.v3.oas.annotations.Parameter(example = "2027-02-01T00:00:00Z") @RequestParam(required = false) Instant enrolledBefore,
                                              @io.swagger.v3.oas.annotations.Parameter(example = "AT_RISK") @RequestParam(required = false) LifecycleStage stage,
                                              @io.swagger.v3.oas.annotations.Parameter(example = "plus-annual") @RequestParam(required = false) String paidPlan) {
        Members.Filter filter = new Members.Filter(channel, tier, recruitmentCode, referrerCustomerId, enrolledFrom, enrolledBefore,
                stage == null ? null : stage.name(), paidPlan, clock.instant());
        Mono<Boolean> knownTier = tier == null ? Mono.just(true)
                : programs.versions(merchant).map(ProgramVersion::program).defaultIfEmpty(ProgramVersion.DEFAULTS.program())
                        .any(program -> program.hasTier(tier));
        return knownTier.flatMap(known -> known
                ? members.list(merchant, filter, page).map(found -> found.map(MemberResponse::of))
                : Mono.error(new InvalidFieldException("tier", "'" + tier + "' is no tier of the merchant's programme")));
    }
}

package io.fugou.member.enrollment;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.member.events.MemberEvents;
import io.fugou.member.profile.Profile;
import io.fugou.member.profile.Profiles;
import io.fugou.member.program.Programs;
import io.fugou.member.tiers.Tiers;
import io.fugou.member.recruitment.RecruitmentCode;
import io.fugou.member.recruitment.RecruitmentCodes;
import io.fugou.platform.codes.RandomCodes;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.web.InvalidFieldException;
import io.r2dbc.spi.Readable;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Makes buyers members, a batch at a time (one request from the API, a batch of the shop's events, the orders
 * that qualify): each buyer once per merchant however often asked, attributed to the recruitment code and the
 * referrer they came through, with a {@code MemberEnrolled} through the outbox in the same transaction. Runs in
 * the caller's transaction (the outbox requires one).
 */
@Service
public class Enrollments {

    private static final Logger log = LoggerFactory.getLogger(Enrollments.class);

    /** What to do with a code or referrer that names nothing the merchant has. */
    public enum Unresolved {
        /** Refuse the request, naming the field (the API: the caller can correct it). */
        REFUSE,
        /** Enroll without that attribution (the shop's events: the buyer still becomes a member). */
        ENROLL_WITHOUT
    }

    private final DatabaseClient db;
    private final RecruitmentCodes codes;
    private final Programs programs;
    private final MemberSequences sequences;
    private final Outbox outbox;
    private final Profiles profiles;
    private final Tiers tiers;
    private final Clock clock;

    public Enrollments(DatabaseClient db, RecruitmentCodes codes, Programs programs, MemberSequences sequences, Outbox outbox, Profiles profiles,
                       Tiers tiers, Clock clock) {
        this.tiers = tiers;
        this.profiles = profiles;
        this.clock = clock;
        this.db = db;
        this.codes = codes;
        this.programs = programs;
        this.sequences = sequences;
        this.outbox = outbox;
    }

    /** Enrolls the buyers who are not members yet; returns the members created, in request order. */
    public Mono<List<Member>> enroll(List<EnrollmentRequest> requests, Unresolved unresolved) {
        Map<MemberKey, EnrollmentRequest> firstPerBuyer = new LinkedHashMap<>();
        requests.forEach(request -> firstPerBuyer.putIfAbsent(request.member(), request));
        List<EnrollmentRequest> asked = List.copyOf(firstPerBuyer.values());
        if (asked.isEmpty()) {
            return Mono.just(List.of());
        }
        List<String> merchants = asked.stream().map(request -> request.member().merchantId()).distinct().toList();
        // The buyers' profile locks first (as every profile writer takes them): a profile change racing this enrollment
        // either commits before it (and is published with it) or waits and finds a member.
        return profiles.lock(asked.stream().map(EnrollmentRequest::member).toList())
                .then(Mono.zip(resolveCodes(asked), resolveReferrers(asked), programs.versionsOf(merchants)))
                .flatMap(resolved -> {
                    List<Member> members = new ArrayList<>();
                    for (EnrollmentRequest request : asked) {
                        members.add(member(request, resolved.getT1(), resolved.getT2(),
                                resolved.getT3().inForceOrFirst(request.member().merchantId(), request.at()).program().startingTier(), unresolved));
                    }
                    return insert(members);
                })
                .flatMap(created -> profiles.of(created.stream().map(Member::key).toList()).flatMap(given -> {
                    // A buyer who gave a profile before joining: it is a member's profile now, and their consent a member's consent
                    // (campaigns learn it from MemberConsentChanged), numbered right after their MemberEnrolled.
                    List<Member> consenting = created.stream().filter(member -> given.containsKey(member.key())
                            && !given.get(member.key()).grantedChannels().isEmpty()).toList();
                    List<MemberKey> numbered = new ArrayList<>(created.stream().map(Member::key).toList());
                    consenting.forEach(member -> numbered.add(member.key()));
                    return sequences.next(Topics.MEMBERS.name(), numbered).flatMap(numbers -> {
                        List<Outbound> events = new ArrayList<>();
                        for (int i = 0; i < created.size(); i++) {
                            events.add(MemberEvents.enrolled(created.get(i), numbers.get(i)));
                        }
                        for (int i = 0; i < consenting.size(); i++) {
                            Profile profile = given.get(consenting.get(i).key());
                            events.add(MemberEvents.consentChanged(consenting.get(i).key(), numbers.get(created.size() + i), consenting.get(i).enrolledAt(),
                                    profile.marketingConsent(), profile.grantedChannels().stream().map(channel -> channel.name().toLowerCase(java.util.Locale.ROOT)).toList()));
                        }
                        created.stream().filter(member -> given.containsKey(member.key()))
                                .forEach(member -> events.add(Profiles.profileRecord(member.key(), given.get(member.key()))));
                        return outbox.append(events);
                    });
                }).thenReturn(created))
                // Growth a buyer gathered before joining counts at once: they start in the tier it reaches.
                .flatMap(created -> tiers.upgradeAfterGrowth(created.stream().collect(java.util.stream.Collectors.toMap(Member::key, Member::enrolledAt,
                                (first, second) -> first, LinkedHashMap::new)))
                        .thenReturn(created));
    }

    private Member member(EnrollmentRequest request, Map<String, RecruitmentCode> knownCodes, Map<String, String> referrers,
                          String startingTier, Unresolved unresolved) {
        MemberKey buyer = request.member();
        RecruitmentCode code = null;
        if (request.recruitmentCode() != null) {
            code = knownCodes.get(RecruitmentCodes.key(buyer.merchantId(), request.recruitmentCode()));
            if (code == null) {
                unresolved(unresolved, buyer, "recruitmentCode", "'" + request.recruitmentCode() + "' is not one of the merchant's recruitment codes");
            }
        }
        String referrer = null;
        if (request.referralCode() != null) {
            referrer = referrers.get(referrerKey(buyer.merchantId(), request.referralCode()));
            if (referrer == null) {
                unresolved(unresolved, buyer, "referralCode", "'" + request.referralCode() + "' is no member's share code");
            }
        } else if (request.referrerCustomerId() != null) {
            referrer = referrers.get(referrerKey(buyer.merchantId(), request.referrerCustomerId()));
            if (referrer == null) {
                unresolved(unresolved, buyer, "referrerCustomerId", "'" + request.referrerCustomerId() + "' is not a member");
            }
        }
        if (buyer.customerId().equals(referrer)) {
            unresolved(unresolved, buyer, request.referralCode() != null ? "referralCode" : "referrerCustomerId", "a buyer cannot refer themselves");
            referrer = null;
        }
        EnrollmentChannel channel = code != null ? code.channel()
                : request.channel() != null ? request.channel()
                : referrer != null ? EnrollmentChannel.REFERRAL : EnrollmentChannel.OTHER;
        return new Member(buyer.merchantId(), buyer.customerId(), channel, code == null ? null : code.code(), code == null ? null : code.campaignId(),
                referrer, RandomCodes.draw(10), request.tier() != null ? request.tier() : startingTier, request.enrollmentRuleId(), request.at(),
                tierSince(request), null, null, null, null, null, null);
    }

    /**
     * Since when the member holds their first tier: from joining, but an imported member from the import, so a tier brought
     * from another system is held until the end of the current qualification period, not reviewed at once by its old date.
     */
    private Instant tierSince(EnrollmentRequest request) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return request.channel() == EnrollmentChannel.IMPORT && request.at().isBefore(now) ? now : request.at();
    }

    private static void unresolved(Unresolved unresolved, MemberKey buyer, String field, String why) {
        if (unresolved == Unresolved.REFUSE) {
            throw new InvalidFieldException(field, why);
        }
        log.info("Enrolling {} without the {} it came with: {}", buyer, field, why);
    }

    private Mono<Map<String, RecruitmentCode>> resolveCodes(List<EnrollmentRequest> requests) {
        List<EnrollmentRequest> withCode = requests.stream().filter(request -> request.recruitmentCode() != null).toList();
        return codes.resolve(withCode.stream().map(request -> request.member().merchantId()).toList(),
                withCode.stream().map(EnrollmentRequest::recruitmentCode).toList());
    }

    /** The referrers named by share code or customer id, as members: "merchant\0code-or-id" to the member's customer id. */
    private Mono<Map<String, String>> resolveReferrers(List<EnrollmentRequest> requests) {
        List<String> merchants = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (EnrollmentRequest request : requests) {
            String name = request.referralCode() != null ? request.referralCode() : request.referrerCustomerId();
            if (name != null) {
                merchants.add(request.member().merchantId());
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select m.merchant_id, m.customer_id, m.share_code, u.name from member m
                        join unnest(cast(:merchants as text[]), cast(:names as text[])) as u(merchant_id, name)
                          on m.merchant_id = u.merchant_id and (m.share_code = u.name or m.customer_id = u.name)
                        where m.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", merchants.toArray(String[]::new)).bind("names", names.toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(merchants.toArray(String[]::new)))
                .map((row, meta) -> new String[] {referrerKey(row.get("merchant_id", String.class), row.get("name", String.class)),
                        row.get("customer_id", String.class), Boolean.toString(row.get("name", String.class).equals(row.get("share_code", String.class)))})
                .all()
                .collectList()
                .map(rows -> {
                    // A name that is one member's share code and another's customer id: the share code wins (that is what was shared).
                    Map<String, String> byName = new HashMap<>();
                    rows.stream().filter(row -> Boolean.parseBoolean(row[2])).forEach(row -> byName.put(row[0], row[1]));
                    rows.forEach(row -> byName.putIfAbsent(row[0], row[1]));
                    return byName;
                });
    }

    private static String referrerKey(String merchant, String name) {
        return merchant + '\u0000' + name;
    }

    /** Inserts the members not enrolled yet; returns those created, in the given order. */
    private Mono<List<Member>> insert(List<Member> members) {
        Function<Function<Member, Object>, String[]> column = field -> members.stream()
                .map(member -> field.apply(member) == null ? null : field.apply(member).toString()).toArray(String[]::new);
        Map<MemberKey, Integer> order = new HashMap<>();
        for (int i = 0; i < members.size(); i++) {
            order.put(members.get(i).key(), i);
        }
        return db.sql("""
                        insert into member (merchant_id, customer_id, channel, recruitment_code, campaign_id, referrer_customer_id, share_code,
                                            tier, enrollment_rule_id, enrolled_at, tier_changed_at)
                        select u.merchant_id, u.customer_id, u.channel, u.recruitment_code, u.campaign_id, u.referrer_customer_id, u.share_code,
                               u.tier, u.enrollment_rule_id, u.enrolled_at, u.tier_changed_at
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:channels as text[]), cast(:codes as text[]),
                                    cast(:campaigns as text[]), cast(:referrers as text[]), cast(:shareCodes as text[]), cast(:tiers as text[]),
                                    cast(:rules as text[]), cast(:enrolledAt as timestamptz[]), cast(:tierSince as timestamptz[]))
                             as u(merchant_id, customer_id, channel, recruitment_code, campaign_id, referrer_customer_id, share_code, tier,
                                  enrollment_rule_id, enrolled_at, tier_changed_at)
                        order by u.merchant_id, u.customer_id
                        on conflict (merchant_id, customer_id) do nothing
                        returning *""")
                .bind("merchants", column.apply(Member::merchantId))
                .bind("customers", column.apply(Member::customerId))
                .bind("channels", column.apply(member -> member.channel().name()))
                .bind("codes", column.apply(Member::recruitmentCode))
                .bind("campaigns", column.apply(Member::campaignId))
                .bind("referrers", column.apply(Member::referrerCustomerId))
                .bind("shareCodes", column.apply(Member::shareCode))
                .bind("tiers", column.apply(Member::tier))
                .bind("rules", column.apply(Member::enrollmentRuleId))
                .bind("enrolledAt", members.stream().map(member -> OffsetDateTime.ofInstant(member.enrolledAt(), ZoneOffset.UTC))
                        .toArray(OffsetDateTime[]::new))
                .bind("tierSince", members.stream().map(member -> OffsetDateTime.ofInstant(member.tierSince(), ZoneOffset.UTC))
                        .toArray(OffsetDateTime[]::new))
                .map((row, meta) -> member(row))
                .all()
                .sort(Comparator.comparing(member -> order.get(member.key())))
                .collectList();
    }

    static Member member(Readable row) {
        return new Member(row.get("merchant_id", String.class), row.get("customer_id", String.class),
                EnrollmentChannel.valueOf(row.get("channel", String.class)), row.get("recruitment_code", String.class),
                row.get("campaign_id", String.class), row.get("referrer_customer_id", String.class), row.get("share_code", String.class),
                row.get("tier", String.class), row.get("enrollment_rule_id", String.class),
                row.get("enrolled_at", OffsetDateTime.class).toInstant(), row.get("tier_changed_at", OffsetDateTime.class).toInstant(),
                row.get("tier_reason", String.class), row.get("manual_tier", String.class), row.get("manual_tier_until", java.time.LocalDate.class),
                row.get("erased_at", OffsetDateTime.class) == null ? null : row.get("erased_at", OffsetDateTime.class).toInstant(),
                row.get("stage", String.class), row.get("rfm_segment", String.class));
    }
}

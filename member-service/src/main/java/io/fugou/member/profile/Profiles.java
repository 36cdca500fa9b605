package io.fugou.member.profile;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.common.Consent;
import io.fugou.events.common.ConsentChannel;
import io.fugou.events.common.ConsentSource;
import io.fugou.events.common.Gender;
import io.fugou.events.customers.ProfileField;
import io.fugou.events.members.MemberProfile;
import io.fugou.member.events.MemberEvents;
import io.fugou.platform.locks.MemberLocks;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Buyers' profiles and consent, changed by the shop's events and the API, and erased on request. A member's change
 * publishes, through the outbox in the caller's transaction: which fields changed ({@code MemberProfileUpdated}, never
 * the values), a {@code MemberConsentChanged} when the channels they may be reached on changed, and their whole profile
 * on the compacted {@code fugou.member-profiles.v1}; an erasure a {@code MemberErased} and a tombstone there.
 *
 * <p>Writers of one buyer's profile take turns on a transaction-scoped lock, taken before anything else they lock
 * (member rows, event counters), so a profile change and an enrollment of the same buyer cannot deadlock.
 */
@Service
public class Profiles {

    private static final TypeReference<List<Profile.Decision>> DECISIONS = new TypeReference<>() {
    };

    /** A request to erase a buyer's personal data; {@code requestId}: the shop's, null from the API. */
    public record Erasure(MemberKey member, String requestId, Instant at) {
    }

    private final DatabaseClient db;
    private final MemberSequences sequences;
    private final Outbox outbox;
    private final JsonMapper json;

    public Profiles(DatabaseClient db, MemberSequences sequences, Outbox outbox, JsonMapper json) {
        this.db = db;
        this.sequences = sequences;
        this.outbox = outbox;
        this.json = json;
    }

    /** Takes the profile locks of these buyers, in one order. Call first in a transaction that changes profiles. */
    public Mono<Void> lock(List<MemberKey> buyers) {
        return MemberLocks.lock(db, "fugou_member_profile", buyers);
    }

    /** The stored profiles of these buyers (absent: none). */
    public Mono<Map<MemberKey, Profile>> of(List<MemberKey> buyers) {
        if (buyers.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select p.merchant_id, p.customer_id, p.birthday, p.gender, p.region, p.marketing_consent,
                               cast(p.consents as text) as consents, p.updated_at, p.completed_at
                        from member_profile p
                        join unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                          on p.merchant_id = u.merchant_id and p.customer_id = u.customer_id
                        where p.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", buyers.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(buyers.stream().map(MemberKey::merchantId).toArray(String[]::new)))
                .bind("customers", buyers.stream().map(MemberKey::customerId).toArray(String[]::new))
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)), profile(row)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Applies the changes in order (the caller holds the buyers' profile locks) and publishes what changed for members. */
    public Mono<Void> apply(List<ProfileChange> changes) {
        if (changes.isEmpty()) {
            return Mono.empty();
        }
        List<MemberKey> buyers = changes.stream().map(ProfileChange::member).distinct().toList();
        return of(buyers).flatMap(stored -> {
            Map<MemberKey, Profile> before = new LinkedHashMap<>();
            Map<MemberKey, Profile> after = new LinkedHashMap<>();
            for (ProfileChange change : changes) {
                Profile current = after.getOrDefault(change.member(), stored.getOrDefault(change.member(), Profile.EMPTY));
                before.putIfAbsent(change.member(), current);
                after.put(change.member(), merged(current, change));
            }
            after.entrySet().removeIf(entry -> entry.getValue().equals(before.get(entry.getKey())));
            if (after.isEmpty()) {
                return Mono.<Void>empty();
            }
            return save(after).then(membersAmong(List.copyOf(after.keySet()))).flatMap(members -> publish(members, before, after));
        });
    }

    private Profile merged(Profile current, ProfileChange change) {
        Set<ProfileField> cleared = change.cleared() == null ? Set.of() : change.cleared();
        LocalDate birthday = cleared.contains(ProfileField.BIRTHDAY) ? null : change.birthday() != null ? change.birthday() : current.birthday();
        Gender gender = cleared.contains(ProfileField.GENDER) ? Gender.UNDISCLOSED : change.gender() != null ? change.gender() : current.gender();
        String region = cleared.contains(ProfileField.REGION) ? null : change.region() != null ? change.region() : current.region();
        Map<ConsentChannel, Profile.Decision> decisions = new LinkedHashMap<>();
        // A flag without decisions per channel covers every channel (the contract of Consent): kept as a decision per channel,
        // so withdrawing one channel later leaves the others, and withdrawing the flag withdraws every one.
        List<Profile.Decision> stored = current.consents().isEmpty() && current.marketingConsent() && current.updatedAt() != null
                ? everyChannel(true, current.updatedAt()) : current.consents();
        stored.forEach(decision -> decisions.put(decision.channel(), decision));
        List<Profile.Decision> given = change.consents() == null || change.consents().isEmpty()
                ? (change.marketingConsent() == null ? List.of() : everyChannel(change.marketingConsent(), change.at()))
                : change.consents();
        for (Profile.Decision decision : given) {
            Profile.Decision known = decisions.get(decision.channel());
            // The latest decision per channel counts, by when the buyer made it, whatever order the reports arrive in.
            if (decision.channel() != ConsentChannel.OTHER && (known == null || !decision.at().isBefore(known.at()))) {
                decisions.put(decision.channel(), decision);
            }
        }
        List<Profile.Decision> consents = decisions.values().stream().sorted(Comparator.comparing(Profile.Decision::channel)).toList();
        boolean marketingConsent = !consents.isEmpty() ? consents.stream().anyMatch(Profile.Decision::granted)
                : change.marketingConsent() != null ? change.marketingConsent() : current.marketingConsent();
        Instant updatedAt = current.updatedAt() == null || change.at().isAfter(current.updatedAt()) ? change.at() : current.updatedAt();
        Profile next = new Profile(birthday, gender, region, marketingConsent, consents, updatedAt, current.completedAt());
        if (next.complete() && current.completedAt() == null) {
            next = new Profile(birthday, gender, region, marketingConsent, consents, updatedAt, change.at());
        }
        // Nothing but the time changed: nothing changed.
        return sameValues(current, next) ? current : next;
    }

    private static List<Profile.Decision> everyChannel(boolean granted, Instant at) {
        return List.of(ConsentChannel.SMS, ConsentChannel.APP_PUSH, ConsentChannel.WECHAT, ConsentChannel.EMAIL).stream()
                .map(channel -> new Profile.Decision(channel, granted, at, ConsentSource.OTHER, null)).toList();
    }

    private static boolean sameValues(Profile a, Profile b) {
        return Objects.equals(a.birthday(), b.birthday()) && a.gender() == b.gender() && Objects.equals(a.region(), b.region())
                && a.marketingConsent() == b.marketingConsent() && a.consents().equals(b.consents());
    }

    private Mono<Void> save(Map<MemberKey, Profile> profiles) {
        List<MemberKey> keys = List.copyOf(profiles.keySet());
        List<Profile> values = keys.stream().map(profiles::get).toList();
        return db.sql("""
                        insert into member_profile (merchant_id, customer_id, birthday, gender, region, marketing_consent, consents, updated_at, completed_at)
                        select u.merchant_id, u.customer_id, u.birthday, u.gender, u.region, u.marketing_consent, cast(u.consents as jsonb), u.updated_at,
                               u.completed_at
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:birthdays as date[]), cast(:genders as text[]),
                                    cast(:regions as text[]), cast(:consent as boolean[]), cast(:consents as text[]), cast(:updated as timestamptz[]),
                                    cast(:completed as timestamptz[]))
                             as u(merchant_id, customer_id, birthday, gender, region, marketing_consent, consents, updated_at, completed_at)
                        on conflict (merchant_id, customer_id) do update set birthday = excluded.birthday, gender = excluded.gender,
                            region = excluded.region, marketing_consent = excluded.marketing_consent, consents = excluded.consents,
                            updated_at = excluded.updated_at, completed_at = excluded.completed_at""")
                .bind("merchants", keys.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", keys.stream().map(MemberKey::customerId).toArray(String[]::new))
                .bind("birthdays", values.stream().map(Profile::birthday).toArray(LocalDate[]::new))
                .bind("genders", values.stream().map(profile -> profile.gender().name()).toArray(String[]::new))
                .bind("regions", values.stream().map(Profile::region).toArray(String[]::new))
                .bind("consent", values.stream().map(Profile::marketingConsent).toArray(Boolean[]::new))
                .bind("consents", values.stream().map(profile -> json.writeValueAsString(profile.consents())).toArray(String[]::new))
                .bind("updated", values.stream().map(profile -> utc(profile.updatedAt())).toArray(OffsetDateTime[]::new))
                .bind("completed", values.stream().map(profile -> utc(profile.completedAt())).toArray(OffsetDateTime[]::new))
                .then();
    }

    private Mono<Set<MemberKey>> membersAmong(List<MemberKey> buyers) {
        return db.sql("""
                        select m.merchant_id, m.customer_id from member m
                        join unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                          on m.merchant_id = u.merchant_id and m.customer_id = u.customer_id
                        where m.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", buyers.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(buyers.stream().map(MemberKey::merchantId).toArray(String[]::new)))
                .bind("customers", buyers.stream().map(MemberKey::customerId).toArray(String[]::new))
                .map((row, meta) -> new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)))
                .all().collect(HashSet::new, Set::add);
    }

    private Mono<Void> publish(Set<MemberKey> members, Map<MemberKey, Profile> before, Map<MemberKey, Profile> after) {
        record Numbered(MemberKey member, String kind) {
        }
        List<Numbered> numbered = new ArrayList<>();
        for (MemberKey member : after.keySet()) {
            if (!members.contains(member)) {
                continue; // a buyer who is not a member: kept for when they join, published then
            }
            numbered.add(new Numbered(member, "updated"));
            if (consentChanged(before.get(member), after.get(member))) {
                numbered.add(new Numbered(member, "consent"));
            }
        }
        if (numbered.isEmpty()) {
            return Mono.empty();
        }
        return sequences.next(Topics.MEMBERS.name(), numbered.stream().map(Numbered::member).toList()).flatMap(numbers -> {
            List<Outbound> events = new ArrayList<>();
            for (int i = 0; i < numbered.size(); i++) {
                MemberKey member = numbered.get(i).member();
                Profile was = before.get(member);
                Profile now = after.get(member);
                if (numbered.get(i).kind().equals("updated")) {
                    events.add(MemberEvents.profileUpdated(member, numbers.get(i), now.updatedAt(), changedFields(was, now),
                            was.completedAt() == null && now.completedAt() != null));
                } else {
                    events.add(MemberEvents.consentChanged(member, numbers.get(i), now.updatedAt(), now.marketingConsent(),
                            now.grantedChannels().stream().map(channel -> channel.name().toLowerCase(Locale.ROOT)).toList()));
                }
            }
            members.stream().filter(after::containsKey).forEach(member -> events.add(profileRecord(member, after.get(member))));
            return outbox.append(events);
        });
    }

    /** The member's whole profile as the compacted topic carries it. */
    public static Outbound profileRecord(MemberKey member, Profile profile) {
        return Outbound.of(Topics.MEMBER_PROFILES, MemberProfile.newBuilder()
                .setMerchantId(member.merchantId())
                .setCustomerId(member.customerId())
                .setUpdatedAt(profile.updatedAt())
                .setBirthday(profile.birthday())
                .setGender(profile.gender())
                .setRegion(profile.region())
                .setMarketingConsent(profile.marketingConsent())
                .setConsents(profile.consents().stream().map(decision -> Consent.newBuilder().setChannel(decision.channel())
                        .setGranted(decision.granted()).setAt(decision.at()).setSource(decision.source()).setSourceDetail(decision.sourceDetail())
                        .build()).toList())
                .build());
    }

    private static boolean consentChanged(Profile was, Profile now) {
        return was.marketingConsent() != now.marketingConsent() || !was.grantedChannels().equals(now.grantedChannels());
    }

    private static List<String> changedFields(Profile was, Profile now) {
        List<String> fields = new ArrayList<>();
        if (!Objects.equals(was.birthday(), now.birthday())) {
            fields.add("birthday");
        }
        if (was.gender() != now.gender()) {
            fields.add("gender");
        }
        if (!Objects.equals(was.region(), now.region())) {
            fields.add("region");
        }
        if (was.marketingConsent() != now.marketingConsent()) {
            fields.add("marketingConsent");
        }
        if (!was.consents().equals(now.consents())) {
            fields.add("consents");
        }
        return fields;
    }

    /**
     * Erases the buyers' personal data (the caller holds their profile locks): the profile row goes, the member is marked
     * erased, a {@code MemberErased} tells the other services, and a tombstone removes the profile from the compacted topic.
     * The same request delivered again changes nothing and publishes nothing.
     */
    public Mono<Void> erase(List<Erasure> erasures) {
        if (erasures.isEmpty()) {
            return Mono.empty();
        }
        List<MemberKey> buyers = erasures.stream().map(Erasure::member).distinct().toList();
        String[] merchants = buyers.stream().map(MemberKey::merchantId).toArray(String[]::new);
        String[] customers = buyers.stream().map(MemberKey::customerId).toArray(String[]::new);
        Map<MemberKey, Erasure> latest = new LinkedHashMap<>();
        erasures.forEach(erasure -> latest.put(erasure.member(), erasure));
        Mono<Set<MemberKey>> deletedProfiles = db.sql("""
                        delete from member_profile p
                        using unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                        where p.merchant_id = u.merchant_id and p.customer_id = u.customer_id
                        returning p.merchant_id, p.customer_id""")
                .bind("merchants", merchants).bind("customers", customers)
                .map((row, meta) -> new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)))
                .all().collect(HashSet::new, Set::add);
        return deletedProfiles.flatMap(deleted -> db.sql("""
                                select m.merchant_id, m.customer_id, m.erased_at, m.erasure_request_id from member m
                                join unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                                  on m.merchant_id = u.merchant_id and m.customer_id = u.customer_id
                                where m.merchant_id = any(cast(:merchantIds as text[]))""")
                        .bind("merchants", merchants).bind("customers", customers)
                        .bind("merchantIds", MerchantId.distinct(merchants))
                        .map((row, meta) -> {
                            MemberKey member = new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class));
                            String request = latest.get(member).requestId();
                            // Erased once per request; again when personal data came back since, or when asked over the API.
                            boolean again = row.get("erased_at", OffsetDateTime.class) == null || request == null || deleted.contains(member)
                                    || !request.equals(row.get("erasure_request_id", String.class));
                            return again ? List.of(member) : List.<MemberKey>of();
                        })
                        .all().flatMapIterable(list -> list).collectList()
                        .flatMap(erasedMembers -> markErased(erasedMembers, latest)
                                .then(sequences.next(Topics.MEMBERS.name(), erasedMembers))
                                .flatMap(numbers -> {
                                    List<Outbound> events = new ArrayList<>();
                                    for (int i = 0; i < erasedMembers.size(); i++) {
                                        Erasure erasure = latest.get(erasedMembers.get(i));
                                        events.add(MemberEvents.erased(erasedMembers.get(i), numbers.get(i), erasure.at(), erasure.requestId()));
                                    }
                                    Set<MemberKey> tombstoned = new LinkedHashSet<>(erasedMembers);
                                    tombstoned.addAll(deleted);
                                    tombstoned.forEach(buyer -> events.add(Outbound.tombstone(Topics.MEMBER_PROFILES, buyer)));
                                    return outbox.append(events);
                                })));
    }

    private Mono<Void> markErased(List<MemberKey> members, Map<MemberKey, Erasure> erasures) {
        if (members.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        update member m set erased_at = u.erased_at, erasure_request_id = u.request_id
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:times as timestamptz[]), cast(:requests as text[]))
                             as u(merchant_id, customer_id, erased_at, request_id)
                        where m.merchant_id = u.merchant_id and m.customer_id = u.customer_id""")
                .bind("merchants", members.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", members.stream().map(MemberKey::customerId).toArray(String[]::new))
                .bind("times", members.stream().map(member -> utc(erasures.get(member).at())).toArray(OffsetDateTime[]::new))
                .bind("requests", members.stream().map(member -> erasures.get(member).requestId()).toArray(String[]::new))
                .then();
    }

    private Profile profile(Readable row) {
        OffsetDateTime completed = row.get("completed_at", OffsetDateTime.class);
        return new Profile(row.get("birthday", LocalDate.class), Gender.valueOf(row.get("gender", String.class)), row.get("region", String.class),
                Boolean.TRUE.equals(row.get("marketing_consent", Boolean.class)), json.readValue(row.get("consents", String.class), DECISIONS),
                row.get("updated_at", OffsetDateTime.class).toInstant(), completed == null ? null : completed.toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

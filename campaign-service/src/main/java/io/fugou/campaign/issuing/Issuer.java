package io.fugou.campaign.issuing;

import io.fugou.platform.catalog.Categories;
import io.fugou.campaign.campaigns.Campaign;
import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.campaigns.Campaigns;
import io.fugou.campaign.contact.ContactPolicies;
import io.fugou.campaign.contact.ContactPolicy;
import io.fugou.campaign.coupons.Coupons;
import io.fugou.campaign.insights.CategoriesBoughtNext;
import io.fugou.events.lifecycle.LifecycleStage;
import io.fugou.events.notifications.NotificationEvent;
import io.fugou.events.notifications.NotificationRequested;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.campaign.publishing.CampaignEvents;
import io.fugou.campaign.publishing.CampaignEvents.Pending;
import io.fugou.campaign.members.MemberViews;
import io.fugou.campaign.members.MemberViews.MemberView;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.AssignmentGroup;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignAssigned;
import io.fugou.events.campaigns.SuppressionReason;
import io.fugou.platform.locks.MemberLocks;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Envelopes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import io.fugou.events.campaigns.CouponIssued;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Turns triggers into rewards: for each active campaign listening for a trigger, a member in its audience is assigned
 * once per (campaign, member, triggering event), to the holdout or a variant, and a treated member gets the variant's
 * coupon and bonus points within the campaign's budget. Every assignment is a {@code CampaignAssigned} (a held-out or
 * budget-suppressed member is recorded with the reason, never skipped silently), and each reward its event, all
 * through the outbox in the caller's transaction.
 */
@Service
public class Issuer {

    /**
     * A trigger met by a member; {@code triggerKey} identifies the cause, so a redelivered trigger rewards nobody twice. The
     * details a campaign may narrow it by: the tier reached, the order's number, a category bought.
     */
    public record Trigger(MemberKey member, TriggerType type, String triggerKey, String tier, Integer orderNumber, String category,
                          LifecycleStage stage, String onlyCampaignId, Instant at) {

        public static Trigger of(MemberKey member, TriggerType type, String triggerKey, Instant at) {
            return new Trigger(member, type, triggerKey, null, null, null, null, null, at);
        }

        /** A trigger the daily job found for one campaign (its own days, its own member day). */
        public static Trigger forCampaign(MemberKey member, TriggerType type, String triggerKey, String campaignId, Instant at) {
            return new Trigger(member, type, triggerKey, null, null, null, null, campaignId, at);
        }

        boolean meets(Campaign campaign) {
            CampaignDefinition.Trigger wanted = campaign.definition().trigger();
            return (onlyCampaignId == null || onlyCampaignId.equals(campaign.campaignId())) && wanted.type() == type
                    && (wanted.toTier() == null || wanted.toTier().equals(tier))
                    && (wanted.orderNumber() == null || wanted.orderNumber().equals(orderNumber))
                    && (wanted.category() == null || Categories.covers(wanted.category(), category))
                    && (wanted.toStage() == null || wanted.toStage() == stage);
        }
    }

    private final DatabaseClient db;
    private final Campaigns campaigns;
    private final MemberViews members;
    private final Coupons coupons;
    private final CampaignEvents events;
    private final ContactPolicies policies;
    private final Outbox outbox;
    private final java.time.Clock clock;
    private final CategoriesBoughtNext categoriesBoughtNext;

    public Issuer(DatabaseClient db, Campaigns campaigns, MemberViews members, Coupons coupons, CampaignEvents events, ContactPolicies policies,
                  Outbox outbox, java.time.Clock clock, CategoriesBoughtNext categoriesBoughtNext) {
        this.clock = clock;
        this.categoriesBoughtNext = categoriesBoughtNext;
        this.policies = policies;
        this.outbox = outbox;
        this.db = db;
        this.campaigns = campaigns;
        this.members = members;
        this.coupons = coupons;
        this.events = events;
    }

    private record Candidate(Trigger trigger, String merchantId, Campaign campaign) {
    }

    public Mono<Void> fire(List<Trigger> triggers) {
        if (triggers.isEmpty()) {
            return Mono.empty();
        }
        List<TriggerType> types = triggers.stream().map(Trigger::type).distinct().toList();
        return campaigns.active(triggers.stream().map(trigger -> trigger.member().merchantId()).toList(), types).collectList()
                .flatMap(active -> {
                    List<Candidate> candidates = new ArrayList<>();
                    for (Trigger trigger : triggers) {
                        for (Campaigns.MerchantCampaign listening : active) {
                            CampaignDefinition definition = listening.campaign().definition();
                            if (listening.merchantId().equals(trigger.member().merchantId()) && trigger.meets(listening.campaign())
                                    && listening.campaign().runsAt(trigger.at())) {
                                candidates.add(new Candidate(trigger, listening.merchantId(), listening.campaign()));
                            }
                        }
                    }
                    if (candidates.isEmpty()) {
                        return Mono.<Void>empty();
                    }
                    List<MemberKey> reached = candidates.stream().map(candidate -> candidate.trigger().member()).distinct().toList();
                    // Contact policies and locks only matter to campaigns that send a message (a welcome coupon alone needs neither).
                    Set<String> messaging = candidates.stream().filter(candidate -> messages(candidate.campaign()))
                            .map(Candidate::merchantId).collect(Collectors.toSet());
                    Mono<Map<String, ContactPolicy>> policiesRead = messaging.isEmpty() ? Mono.just(Map.of()) : policies.ofAll(messaging);
                    return Mono.zip(members.of(reached), policiesRead)
                            .flatMap(known -> lockCampaigns(candidates)
                                    .map(locked -> candidates.stream()
                                            // As the campaign is now, locked: one paused or changed meanwhile is judged as it stands.
                                            .map(candidate -> new Candidate(candidate.trigger(), candidate.merchantId(),
                                                    locked.get(candidate.merchantId() + '\u0000' + candidate.campaign().campaignId())))
                                            .filter(candidate -> candidate.campaign() != null && candidate.trigger().meets(candidate.campaign())
                                                    && candidate.campaign().runsAt(candidate.trigger().at()))
                                            .filter(candidate -> inAudience(candidate.campaign().definition().audience(), known.getT1().get(candidate.trigger().member())))
                                            .toList())
                                    .flatMap(eligible -> lockContacts(eligible, messaging).thenReturn(eligible))
                                    .flatMap(eligible -> assignAll(eligible, known.getT1(), known.getT2())));
                });
    }

    /** Whether any of the campaign's variants sends a message. */
    private static boolean messages(Campaign campaign) {
        return campaign.definition().assignable().stream().anyMatch(variant -> variant.reward().notification() != null);
    }

    /**
     * Budgets counted per campaign (a total, a daily budget) are counted under the campaign's exclusive lock, so two batches
     * cannot both give its last reward; other campaigns are locked shared, so consumers and instances give them at once
     * while a change to the campaign waits for them ({@link Campaigns#lockGiving}). The mode is chosen from the campaign as
     * read before the lock; if, as locked, a campaign locked shared counts per campaign (its budget was changed meanwhile),
     * the batch is applied again from a fresh read rather than upgrading its lock, which two batches doing at once would
     * deadlock on. The campaigns as locked, by key.
     */
    private Mono<java.util.Map<String, Campaign>> lockCampaigns(List<Candidate> candidates) {
        Map<Campaigns.Key, Boolean> counted = new LinkedHashMap<>();
        candidates.forEach(candidate -> counted.put(new Campaigns.Key(candidate.merchantId(), candidate.campaign().campaignId()),
                candidate.campaign().definition().budget().countedPerCampaign()));
        List<Campaigns.Key> exclusive = counted.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        List<Campaigns.Key> shared = counted.entrySet().stream().filter(entry -> !entry.getValue()).map(Map.Entry::getKey).toList();
        return campaigns.lockGiving(exclusive, shared).map(locked -> {
            Map<String, Campaign> byKey = new HashMap<>();
            locked.forEach((key, campaign) -> {
                if (!counted.get(key) && campaign.definition().budget().countedPerCampaign()) {
                    throw new org.springframework.dao.ConcurrencyFailureException("campaign " + key.campaignId() + " of " + key.merchantId()
                            + " was given a budget per campaign while this batch was deciding; the batch is applied again");
                }
                byKey.put(key.merchantId() + '\u0000' + key.campaignId(), campaign);
            });
            return byKey;
        });
    }

    /**
     * Contacts are counted under the member's lock, so two campaigns cannot both take a member's last contact: the members a
     * campaign as locked may message. A campaign given a message while the batch was deciding, whose merchant's contact policy
     * was therefore not read, has the batch applied again. A per-member budget needs no member lock here: a campaign has one
     * trigger type, each type one source, and the sources that can fire one member at once (the member's orders, the triggers
     * their enrollment releases) already hold the member's {@code campaign_buyer} lock.
     */
    private Mono<Void> lockContacts(List<Candidate> eligible, Set<String> policiesRead) {
        List<Candidate> messaging = eligible.stream().filter(candidate -> messages(candidate.campaign())).toList();
        for (Candidate candidate : messaging) {
            if (!policiesRead.contains(candidate.merchantId())) {
                return Mono.error(new org.springframework.dao.ConcurrencyFailureException("campaign " + candidate.campaign().campaignId() + " of "
                        + candidate.merchantId() + " was given a message while this batch was deciding; the batch is applied again"));
            }
        }
        return MemberLocks.lock(db, "fugou_contact", messaging.stream().map(candidate -> candidate.trigger().member()).distinct().toList());
    }

    /** A contact decided: SENT (at once), DELAYED (to the end of quiet hours), SUPPRESSED with the reason, or NONE (no message). */
    private record Contact(String status, SuppressionReason reason, Instant sendAt) {

        static final Contact NONE = new Contact("NONE", null, null);

        boolean goes() {
            return status.equals("SENT") || status.equals("DELAYED");
        }
    }

    /** A member's contacts that count against the policy: those since the earliest window start the batch looks at, and the last one. */
    private static final class ContactHistory {
        private final List<Instant> recent = new ArrayList<>();
        private Instant last;

        long since(Instant windowStart) {
            return recent.stream().filter(at -> at.isAfter(windowStart)).count();
        }

        void add(Instant at) {
            recent.add(at);
            last = last == null || at.isAfter(last) ? at : last;
        }
    }

    /** What the campaigns have given, counted against their budgets: from the database, then the batch's own as it decides. */
    private static final class Budgets {
        private final Map<String, Long> totals;
        private final Map<String, Long> perMember;
        private final Map<String, Long> perDay;

        Budgets(Map<String, Long> totals, Map<String, Long> perMember, Map<String, Long> perDay) {
            this.totals = new HashMap<>(totals);
            this.perMember = new HashMap<>(perMember);
            this.perDay = new HashMap<>(perDay);
        }

        boolean allows(Candidate candidate) {
            CampaignDefinition.Budget budget = candidate.campaign().definition().budget();
            return (budget.total() == null || totals.getOrDefault(campaignKey(candidate), 0L) < budget.total())
                    && (budget.perMember() == null || perMember.getOrDefault(memberKey(candidate), 0L) < budget.perMember())
                    && (budget.perDay() == null || perDay.getOrDefault(dayKey(candidate), 0L) < budget.perDay());
        }

        void count(Candidate candidate) {
            totals.merge(campaignKey(candidate), 1L, Long::sum);
            perMember.merge(memberKey(candidate), 1L, Long::sum);
            perDay.merge(dayKey(candidate), 1L, Long::sum);
        }
    }

    /** One assignment decided. */
    private record Decision(Candidate candidate, AssignmentGroup group, String variant, SuppressionReason reason, Contact contact,
                            CampaignDefinition.Reward reward, boolean treated) {

        String fact() {
            return candidate.campaign().campaignId() + "/" + candidate.trigger().triggerKey();
        }

        MemberKey member() {
            return candidate.trigger().member();
        }
    }

    private static String campaignKey(Candidate candidate) {
        return candidate.merchantId() + '\u0000' + candidate.campaign().campaignId();
    }

    private static String memberKey(Candidate candidate) {
        return campaignKey(candidate) + '\u0000' + candidate.trigger().member().customerId();
    }

    private static String dayKey(Candidate candidate) {
        return campaignKey(candidate) + '\u0000' + day(candidate);
    }

    private static String assignmentKey(Candidate candidate) {
        return memberKey(candidate) + '\u0000' + candidate.trigger().triggerKey();
    }

    /** The trigger's day in the campaign's zone, which the daily budget counts by. */
    private static LocalDate day(Candidate candidate) {
        return LocalDate.ofInstant(candidate.trigger().at(), candidate.campaign().definition().zone());
    }

    /**
     * Assigns the batch's candidates, in order, set-based: what the database holds (assignments made before, rewards counted
     * against budgets, contacts made) is read in a few statements, the batch's own decisions are counted in memory as they are
     * made, and all of it is written in a few statements more. Called under the campaigns' and the members' locks.
     */
    private Mono<Void> assignAll(List<Candidate> eligible, Map<MemberKey, MemberView> views, Map<String, ContactPolicy> policies) {
        if (eligible.isEmpty()) {
            return Mono.empty();
        }
        Instant now = clock.instant();
        return Mono.zip(assignedBefore(eligible), budgets(eligible), contactHistory(eligible, policies, now), crossSell(eligible))
                .flatMap(state -> {
                    Set<String> handled = new HashSet<>(state.getT1());
                    List<Decision> decisions = new ArrayList<>();
                    for (Candidate candidate : eligible) {
                        if (handled.add(assignmentKey(candidate))) { // else this trigger was handled before
                            decisions.add(decide(candidate, views.get(candidate.trigger().member()),
                                    policies.getOrDefault(candidate.merchantId(), ContactPolicy.NONE), state.getT2(), state.getT3(), state.getT4(), now));
                        }
                    }
                    return write(decisions);
                });
    }

    /** The category to cross-sell after each category bought, for the candidates whose coupon is limited to the one bought next. */
    private Mono<Map<CategoriesBoughtNext.Bought, String>> crossSell(List<Candidate> candidates) {
        return categoriesBoughtNext.crossSell(candidates.stream()
                .filter(candidate -> candidate.trigger().category() != null && candidate.campaign().definition().assignable().stream()
                        .anyMatch(variant -> variant.reward().coupon() != null && variant.reward().coupon().categoryBoughtNext()))
                .map(candidate -> new CategoriesBoughtNext.Bought(candidate.merchantId(), candidate.trigger().category()))
                .toList());
    }

    private Decision decide(Candidate candidate, MemberView view, ContactPolicy policy, Budgets budgets, Map<MemberKey, ContactHistory> histories,
                            Map<CategoriesBoughtNext.Bought, String> crossSell, Instant now) {
        CampaignDefinition definition = candidate.campaign().definition();
        MemberKey member = candidate.trigger().member();
        Assignments.Group group = Assignments.groupOf(member.merchantId(), candidate.campaign().campaignId(), member.customerId(), definition);
        boolean withinBudget = !group.holdout() && budgets.allows(candidate);
        CampaignDefinition.Reward offered = group.variant() == null ? null : group.variant().reward();
        if (offered != null && offered.coupon() != null && offered.coupon().categoryBoughtNext()) {
            // Until analytics knows what follows the category bought, the coupon's own categories apply.
            String next = crossSell.get(new CategoriesBoughtNext.Bought(candidate.merchantId(), candidate.trigger().category()));
            if (next != null) {
                offered = new CampaignDefinition.Reward(offered.coupon().limitedTo(next), offered.bonusPoints(), offered.bonusPointsValidDays(),
                        offered.notification());
            }
        }
        CampaignDefinition.Notification message = offered == null ? null : offered.notification();
        ContactHistory history = histories.computeIfAbsent(member, key -> new ContactHistory());
        Contact contact = withinBudget && message != null ? contact(candidate, message, view, policy, history, now) : Contact.NONE;
        boolean messageOnly = offered != null && offered.coupon() == null && offered.bonusPoints() == null;
        // A reward that is only a message, which may not be sent, reaches nobody: the member counts as suppressed, with why.
        boolean treated = withinBudget && !(messageOnly && "SUPPRESSED".equals(contact.status()));
        AssignmentGroup assigned = group.holdout() ? AssignmentGroup.HOLDOUT : treated ? AssignmentGroup.TREATMENT : AssignmentGroup.SUPPRESSED;
        SuppressionReason reason = assigned != AssignmentGroup.SUPPRESSED ? null : !withinBudget ? SuppressionReason.BUDGET_EXHAUSTED : contact.reason();
        if (treated) {
            budgets.count(candidate);
        }
        if (contact.goes()) {
            history.add(contact.sendAt());
        }
        return new Decision(candidate, assigned, group.variant() == null ? null : group.variant().code(), reason, contact, offered, treated);
    }

    private Contact contact(Candidate candidate, CampaignDefinition.Notification notification, MemberView member, ContactPolicy policy,
                            ContactHistory history, Instant now) {
        if (!member.consents().contains(notification.channel().name())) {
            return new Contact("SUPPRESSED", SuppressionReason.NO_CONSENT, null);
        }
        // Decided at processing time, not the event's: triggers from several topics arrive out of event-time order, and a
        // message can go no earlier than now. Contacts count from when they go (a delayed one at the end of the quiet hours).
        Instant at = candidate.trigger().at().isAfter(now) ? candidate.trigger().at() : now;
        Instant windowStart = policy.windowHours() == null ? at : at.minus(Duration.ofHours(policy.windowHours()));
        boolean capped = (policy.maxContacts() != null && history.since(windowStart) >= policy.maxContacts())
                || (policy.minGapMinutes() != null && history.last != null
                    && history.last.plus(Duration.ofMinutes(policy.minGapMinutes())).isAfter(policy.sendableAt(at)));
        if (capped) {
            return new Contact("SUPPRESSED", SuppressionReason.FREQUENCY_CAP, null);
        }
        Instant sendAt = policy.sendableAt(at);
        return sendAt.isAfter(at) ? new Contact("DELAYED", SuppressionReason.QUIET_HOURS, sendAt) : new Contact("SENT", null, at);
    }

    /**
     * The candidates' assignments already made (a trigger delivered again), by assignment key. Here and in the budgets, a
     * subquery per candidate rather than a join: it is always looked up by the key, where a join may be planned as a scan of
     * every assignment, which grows with the campaign.
     */
    private Mono<Set<String>> assignedBefore(List<Candidate> candidates) {
        return db.sql("""
                        select u.merchant_id, u.campaign_id, u.customer_id, u.trigger_key
                        from unnest(cast(:merchants as text[]), cast(:campaigns as text[]), cast(:customers as text[]), cast(:triggers as text[]))
                             as u(merchant_id, campaign_id, customer_id, trigger_key)
                        where (select true from assignment a where a.merchant_id = u.merchant_id and a.campaign_id = u.campaign_id
                                 and a.customer_id = u.customer_id and a.trigger_key = u.trigger_key)
                          and u.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", candidates.stream().map(Candidate::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(candidates.stream().map(Candidate::merchantId).toArray(String[]::new)))
                .bind("campaigns", candidates.stream().map(candidate -> candidate.campaign().campaignId()).toArray(String[]::new))
                .bind("customers", candidates.stream().map(candidate -> candidate.trigger().member().customerId()).toArray(String[]::new))
                .bind("triggers", candidates.stream().map(candidate -> candidate.trigger().triggerKey()).toArray(String[]::new))
                .map((row, meta) -> row.get("merchant_id", String.class) + '\u0000' + row.get("campaign_id", String.class) + '\u0000'
                        + row.get("customer_id", String.class) + '\u0000' + row.get("trigger_key", String.class))
                .all().collect(Collectors.toSet());
    }

    /** The rewards given so far, for the budgets the candidates' campaigns have: in all, per member, per day. */
    private Mono<Budgets> budgets(List<Candidate> candidates) {
        List<Candidate> totals = distinct(candidates.stream().filter(c -> c.campaign().definition().budget().total() != null), Issuer::campaignKey);
        List<Candidate> members = distinct(candidates.stream().filter(c -> c.campaign().definition().budget().perMember() != null), Issuer::memberKey);
        List<Candidate> days = distinct(candidates.stream().filter(c -> c.campaign().definition().budget().perDay() != null), Issuer::dayKey);
        Mono<Map<String, Long>> given = totals.isEmpty() ? Mono.just(Map.of()) : db.sql("""
                        select u.merchant_id, u.campaign_id,
                               (select coalesce(sum(b.given), 0) from campaign_budget_use b
                                 where b.merchant_id = u.merchant_id and b.campaign_id = u.campaign_id) as given
                        from unnest(cast(:merchants as text[]), cast(:campaigns as text[])) as u(merchant_id, campaign_id)
                        where u.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", totals.stream().map(Candidate::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(totals.stream().map(Candidate::merchantId).toArray(String[]::new)))
                .bind("campaigns", totals.stream().map(c -> c.campaign().campaignId()).toArray(String[]::new))
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class) + '\u0000' + row.get("campaign_id", String.class),
                        ((Number) row.get("given")).longValue()))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
        Mono<Map<String, Long>> perMember = members.isEmpty() ? Mono.just(Map.of()) : db.sql("""
                        select u.merchant_id, u.campaign_id, u.customer_id,
                               (select count(*) from assignment a where a.merchant_id = u.merchant_id and a.campaign_id = u.campaign_id
                                  and a.customer_id = u.customer_id and a.assignment_group = 'TREATMENT') as given
                        from unnest(cast(:merchants as text[]), cast(:campaigns as text[]), cast(:customers as text[])) as u(merchant_id, campaign_id, customer_id)
                        where u.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", members.stream().map(Candidate::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(members.stream().map(Candidate::merchantId).toArray(String[]::new)))
                .bind("campaigns", members.stream().map(c -> c.campaign().campaignId()).toArray(String[]::new))
                .bind("customers", members.stream().map(c -> c.trigger().member().customerId()).toArray(String[]::new))
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class) + '\u0000' + row.get("campaign_id", String.class) + '\u0000'
                        + row.get("customer_id", String.class), ((Number) row.get("given")).longValue()))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
        Mono<Map<String, Long>> perDay = days.isEmpty() ? Mono.just(Map.of()) : db.sql("""
                        select u.merchant_id, u.campaign_id, u.day,
                               (select coalesce(sum(b.given), 0) from campaign_budget_use b
                                 where b.merchant_id = u.merchant_id and b.campaign_id = u.campaign_id and b.day = cast(u.day as date)) as given
                        from unnest(cast(:merchants as text[]), cast(:campaigns as text[]), cast(:days as text[])) as u(merchant_id, campaign_id, day)
                        where u.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", days.stream().map(Candidate::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(days.stream().map(Candidate::merchantId).toArray(String[]::new)))
                .bind("campaigns", days.stream().map(c -> c.campaign().campaignId()).toArray(String[]::new))
                .bind("days", days.stream().map(c -> day(c).toString()).toArray(String[]::new))
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class) + '\u0000' + row.get("campaign_id", String.class) + '\u0000'
                        + row.get("day", String.class), ((Number) row.get("given")).longValue()))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
        return Mono.zip(given, perMember, perDay).map(counts -> new Budgets(counts.getT1(), counts.getT2(), counts.getT3()));
    }

    private static List<Candidate> distinct(java.util.stream.Stream<Candidate> candidates, java.util.function.Function<Candidate, String> key) {
        Map<String, Candidate> first = new LinkedHashMap<>();
        candidates.forEach(candidate -> first.putIfAbsent(key.apply(candidate), candidate));
        return List.copyOf(first.values());
    }

    /** The contacts (sent or delayed) of the members a campaign with a message may reach, that the contact policy counts. */
    private Mono<Map<MemberKey, ContactHistory>> contactHistory(List<Candidate> candidates, Map<String, ContactPolicy> policies, Instant now) {
        List<MemberKey> messaged = candidates.stream()
                .filter(candidate -> messages(candidate.campaign()))
                .map(candidate -> candidate.trigger().member()).distinct().toList();
        if (messaged.isEmpty()) {
            return Mono.just(new HashMap<>());
        }
        return db.sql("""
                        select c.merchant_id, c.customer_id, max(coalesce(c.send_at, c.decided_at)) as last,
                               array_agg(cast(extract(epoch from coalesce(c.send_at, c.decided_at)) * 1000 as bigint))
                                 filter (where coalesce(c.send_at, c.decided_at) > u.since) as recent
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:since as timestamptz[])) as u(merchant_id, customer_id, since)
                        join contact c on c.customer_id = u.customer_id and c.merchant_id = u.merchant_id and c.status in ('SENT', 'DELAYED')
                        where c.merchant_id = any(cast(:merchantIds as text[]))
                        group by c.merchant_id, c.customer_id""")
                .bind("merchants", messaged.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(messaged.stream().map(MemberKey::merchantId).toArray(String[]::new)))
                .bind("customers", messaged.stream().map(MemberKey::customerId).toArray(String[]::new))
                // The earliest window any of the member's triggers looks at: triggers are judged at now or later.
                .bind("since", messaged.stream().map(member -> {
                    Integer hours = policies.getOrDefault(member.merchantId(), ContactPolicy.NONE).windowHours();
                    return utc(hours == null ? now : now.minus(Duration.ofHours(hours)));
                }).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> {
                    ContactHistory history = new ContactHistory();
                    Long[] recent = row.get("recent", Long[].class);
                    if (recent != null) {
                        for (Long at : recent) {
                            history.add(Instant.ofEpochMilli(at));
                        }
                    }
                    history.last = row.get("last", OffsetDateTime.class).toInstant();
                    return Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)), history);
                })
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new);
    }

    /** Writes the decisions (assignments, contacts, coupons) set-based, then their events and messages through the outbox. */
    private Mono<Void> write(List<Decision> decisions) {
        if (decisions.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        insert into assignment (merchant_id, campaign_id, customer_id, trigger_key, assignment_group, variant, suppression_reason, assigned_at)
                        select * from unnest(cast(:merchants as text[]), cast(:campaigns as text[]), cast(:customers as text[]), cast(:triggers as text[]),
                                             cast(:groups as text[]), cast(:variants as text[]), cast(:reasons as text[]), cast(:times as timestamptz[]))
                        on conflict do nothing
                        returning merchant_id, campaign_id, customer_id, trigger_key""")
                .bind("merchants", decisions.stream().map(d -> d.candidate().merchantId()).toArray(String[]::new))
                .bind("campaigns", decisions.stream().map(d -> d.candidate().campaign().campaignId()).toArray(String[]::new))
                .bind("customers", decisions.stream().map(d -> d.member().customerId()).toArray(String[]::new))
                .bind("triggers", decisions.stream().map(d -> d.candidate().trigger().triggerKey()).toArray(String[]::new))
                .bind("groups", decisions.stream().map(d -> d.group().name()).toArray(String[]::new))
                .bind("variants", decisions.stream().map(Decision::variant).toArray(String[]::new))
                .bind("reasons", decisions.stream().map(d -> d.reason() == null ? null : d.reason().name()).toArray(String[]::new))
                .bind("times", decisions.stream().map(d -> utc(d.candidate().trigger().at())).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> row.get("merchant_id", String.class) + '\u0000' + row.get("campaign_id", String.class) + '\u0000'
                        + row.get("customer_id", String.class) + '\u0000' + row.get("trigger_key", String.class))
                .all().collect(Collectors.toSet())
                .flatMap(inserted -> {
                    List<Decision> made = decisions.stream().filter(d -> inserted.contains(assignmentKey(d.candidate()))).toList();
                    List<Coupons.Issue> issues = made.stream().filter(d -> d.treated() && d.reward().coupon() != null)
                            .map(d -> new Coupons.Issue(d.member(), d.candidate().campaign().campaignId(), d.variant(), d.fact(), d.reward().coupon(),
                                    d.candidate().trigger().at(), null))
                            .toList();
                    return recordContacts(made).then(countRewards(made)).then(coupons.issue(issues)).flatMap(issued -> publish(made, issued));
                });
    }

    /** Counts the rewards given against their campaigns' budgets, per day in the campaign's zone, where the budget needs it. */
    private Mono<Void> countRewards(List<Decision> made) {
        List<Decision> treated = made.stream()
                .filter(decision -> decision.treated() && decision.candidate().campaign().definition().budget().countedPerCampaign()).toList();
        if (treated.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        insert into campaign_budget_use (merchant_id, campaign_id, day, given)
                        select u.merchant_id, u.campaign_id, cast(u.day as date), count(*)
                        from unnest(cast(:merchants as text[]), cast(:campaigns as text[]), cast(:days as text[])) as u(merchant_id, campaign_id, day)
                        group by u.merchant_id, u.campaign_id, u.day
                        on conflict (merchant_id, campaign_id, day) do update set given = campaign_budget_use.given + excluded.given""")
                .bind("merchants", treated.stream().map(d -> d.candidate().merchantId()).toArray(String[]::new))
                .bind("campaigns", treated.stream().map(d -> d.candidate().campaign().campaignId()).toArray(String[]::new))
                .bind("days", treated.stream().map(d -> day(d.candidate()).toString()).toArray(String[]::new))
                .then();
    }

    private Mono<Void> recordContacts(List<Decision> made) {
        List<Decision> contacts = made.stream().filter(d -> d.contact() != Contact.NONE).toList();
        if (contacts.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        insert into contact (merchant_id, customer_id, campaign_id, trigger_key, channel, status, reason, decided_at, send_at)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:campaigns as text[]), cast(:triggers as text[]),
                                             cast(:channels as text[]), cast(:statuses as text[]), cast(:reasons as text[]), cast(:decided as timestamptz[]),
                                             cast(:sendAt as timestamptz[]))
                        on conflict do nothing""")
                .bind("merchants", contacts.stream().map(d -> d.candidate().merchantId()).toArray(String[]::new))
                .bind("customers", contacts.stream().map(d -> d.member().customerId()).toArray(String[]::new))
                .bind("campaigns", contacts.stream().map(d -> d.candidate().campaign().campaignId()).toArray(String[]::new))
                .bind("triggers", contacts.stream().map(d -> d.candidate().trigger().triggerKey()).toArray(String[]::new))
                .bind("channels", contacts.stream().map(d -> d.reward().notification().channel().name()).toArray(String[]::new))
                .bind("statuses", contacts.stream().map(d -> d.contact().status()).toArray(String[]::new))
                .bind("reasons", contacts.stream().map(d -> d.contact().reason() == null ? null : d.contact().reason().name()).toArray(String[]::new))
                .bind("decided", contacts.stream().map(d -> utc(clock.instant())).toArray(OffsetDateTime[]::new))
                .bind("sendAt", contacts.stream().map(d -> d.contact().sendAt() == null ? null : utc(d.contact().sendAt())).toArray(OffsetDateTime[]::new))
                .then();
    }

    /** Each assignment's events in order (assigned, bonus points, coupon), numbered per member, and the messages requested. */
    private Mono<Void> publish(List<Decision> made, Map<String, CouponIssued> issued) {
        List<Pending> pending = new ArrayList<>();
        List<Outbound> notifications = new ArrayList<>();
        for (Decision decision : made) {
            MemberKey member = decision.member();
            Trigger trigger = decision.candidate().trigger();
            String campaignId = decision.candidate().campaign().campaignId();
            String fact = decision.fact();
            pending.add(new Pending(member, "assigned/" + fact, trigger.at(), CampaignAssigned.newBuilder().setCampaignId(campaignId)
                    .setTriggerEventId(trigger.triggerKey()).setGroup(decision.group()).setVariant(decision.variant())
                    .setSuppressionReason(decision.reason()).build()));
            if (!decision.treated()) {
                continue;
            }
            CampaignDefinition.Reward reward = decision.reward();
            if (reward.bonusPoints() != null) {
                pending.add(new Pending(member, "bonus/" + fact, trigger.at(), BonusPointsGranted.newBuilder()
                        .setGrantId(Envelopes.eventId(Topics.CAMPAIGNS, member + "/bonus/" + fact)).setCampaignId(campaignId)
                        .setPoints(reward.bonusPoints())
                        .setExpiresAt(reward.bonusPointsValidDays() == null ? null : trigger.at().plus(Duration.ofDays(reward.bonusPointsValidDays())))
                        .build()));
            }
            CouponIssued coupon = reward.coupon() == null ? null
                    : issued.get(new Coupons.Issue(member, campaignId, decision.variant(), fact, reward.coupon(), trigger.at(), null).couponId());
            if (coupon != null) {
                pending.add(new Pending(member, "coupon/" + fact, trigger.at(), coupon));
            }
            if (decision.contact().goes()) {
                notifications.add(notification(member, campaignId, fact, reward.notification(), decision.contact()));
            }
        }
        return events.publish(pending).then(outbox.append(notifications));
    }

    static boolean inAudience(CampaignDefinition.Audience audience, MemberView member) {
        if (member == null || !member.enrolled() || member.erased()) {
            return false; // not a member (yet: a buyer's orders are known before they join), or one whose data is gone
        }
        return (audience.tiers().isEmpty() || audience.tiers().contains(member.tier()))
                && (audience.channels().isEmpty() || audience.channels().stream().anyMatch(channel -> channel.name().equals(member.channel())))
                && (audience.consentedTo().isEmpty() || audience.consentedTo().stream().anyMatch(channel -> member.consents().contains(channel.name())))
                && (audience.stages().isEmpty() || audience.stages().stream().anyMatch(stage -> stage.name().equals(member.stage())))
                && (audience.rfmSegments().isEmpty() || audience.rfmSegments().contains(member.rfmSegment()))
                && (audience.paidMembers() == null || audience.paidMembers() == !member.paidPlans().isEmpty());
    }

    private static Outbound notification(MemberKey member, String campaignId, String fact, CampaignDefinition.Notification message, Contact contact) {
        String id = Envelopes.eventId(Topics.NOTIFICATIONS, member + "/" + fact);
        return Outbound.of(Topics.NOTIFICATIONS, NotificationEvent.newBuilder()
                .setEventId(id).setOccurredAt(contact.sendAt()).setMerchantId(member.merchantId()).setCustomerId(member.customerId())
                .setPayload(NotificationRequested.newBuilder().setNotificationId(id).setChannel(message.channel()).setTemplateId(message.templateId())
                        .setParameters(message.parameters()).setCampaignId(campaignId)
                        .setNotBefore(contact.status().equals("DELAYED") ? contact.sendAt() : null).build())
                .build());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

package io.fugou.campaign.issuing;

import io.fugou.campaign.campaigns.Campaign;
import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.campaigns.Campaigns;
import io.fugou.campaign.contact.ContactPolicies;
import io.fugou.campaign.contact.ContactPolicy;
import io.fugou.campaign.coupons.Coupons;
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
import org.apache.avro.specific.SpecificRecord;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
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
                    && (wanted.category() == null || (category != null && (category.equals(wanted.category()) || category.startsWith(wanted.category() + "/"))))
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

    public Issuer(DatabaseClient db, Campaigns campaigns, MemberViews members, Coupons coupons, CampaignEvents events, ContactPolicies policies,
                  Outbox outbox, java.time.Clock clock) {
        this.clock = clock;
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
                    return Mono.zip(members.of(reached), policies.ofAll(reached.stream().map(MemberKey::merchantId).toList()))
                            .flatMap(known -> lockCampaigns(candidates)
                                    .flatMapMany(locked -> lockContacts(reached).thenMany(Flux.fromIterable(candidates)
                                            // As the campaign is now, locked: one paused or changed meanwhile is judged as it stands.
                                            .map(candidate -> new Candidate(candidate.trigger(), candidate.merchantId(),
                                                    locked.get(candidate.merchantId() + '\u0000' + candidate.campaign().campaignId())))
                                            .filter(candidate -> candidate.campaign() != null && candidate.trigger().meets(candidate.campaign())
                                                    && candidate.campaign().runsAt(candidate.trigger().at()))))
                                            .filter(candidate -> inAudience(candidate.campaign().definition().audience(), known.getT1().get(candidate.trigger().member())))
                                            .concatMap(candidate -> assign(candidate, known.getT1().get(candidate.trigger().member()),
                                                    known.getT2().getOrDefault(candidate.merchantId(), ContactPolicy.NONE)))
                                    .collectList()
                                    .flatMap(this::publish));
                });
    }

    /** Budgets are counted under the campaign's lock, so two batches cannot both give its last reward. The campaigns as locked, by key. */
    private Mono<java.util.Map<String, Campaign>> lockCampaigns(List<Candidate> candidates) {
        return Flux.fromIterable(candidates.stream().map(candidate -> candidate.merchantId() + '\u0000' + candidate.campaign().campaignId())
                        .distinct().sorted().toList())
                .concatMap(key -> campaigns.lock(new MerchantId(key.substring(0, key.indexOf('\u0000'))), key.substring(key.indexOf('\u0000') + 1))
                        .map(campaign -> java.util.Map.entry(key, campaign)))
                .collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue);
    }

    /** Contacts are counted under the member's lock, so two campaigns cannot both take a member's last contact. */
    private Mono<Void> lockContacts(List<MemberKey> reached) {
        return MemberLocks.lock(db, "fugou_contact", reached);
    }

    /** A contact decided: SENT (at once), DELAYED (to the end of quiet hours), or SUPPRESSED with the reason. */
    private record Contact(String status, SuppressionReason reason, Instant sendAt) {

        boolean goes() {
            return !status.equals("SUPPRESSED");
        }
    }

    private Mono<Contact> contact(Candidate candidate, CampaignDefinition.Notification notification, MemberView member, ContactPolicy policy) {
        if (!member.consents().contains(notification.channel().name())) {
            return Mono.just(new Contact("SUPPRESSED", SuppressionReason.NO_CONSENT, null));
        }
        // Decided at processing time, not the event's: triggers from several topics arrive out of event-time order, and a
        // message can go no earlier than now. Contacts count from when they go (a delayed one at the end of the quiet hours).
        Instant at = candidate.trigger().at().isAfter(clock.instant()) ? candidate.trigger().at() : clock.instant();
        Instant windowStart = policy.windowHours() == null ? at : at.minus(Duration.ofHours(policy.windowHours()));
        return db.sql("""
                        select count(*) filter (where coalesce(send_at, decided_at) > :windowStart) as recent, max(coalesce(send_at, decided_at)) as last
                        from contact where merchant_id = :merchant and customer_id = :customer and status in ('SENT', 'DELAYED')""")
                .bind("windowStart", utc(windowStart))
                .bind("merchant", candidate.merchantId()).bind("customer", candidate.trigger().member().customerId())
                .map((row, meta) -> {
                    long recent = ((Number) row.get("recent")).longValue();
                    OffsetDateTime last = row.get("last", OffsetDateTime.class);
                    boolean capped = (policy.maxContacts() != null && recent >= policy.maxContacts())
                            || (policy.minGapMinutes() != null && last != null
                                && last.toInstant().plus(Duration.ofMinutes(policy.minGapMinutes())).isAfter(policy.sendableAt(at)));
                    if (capped) {
                        return new Contact("SUPPRESSED", SuppressionReason.FREQUENCY_CAP, null);
                    }
                    Instant sendAt = policy.sendableAt(at);
                    return sendAt.isAfter(at) ? new Contact("DELAYED", SuppressionReason.QUIET_HOURS, sendAt) : new Contact("SENT", null, at);
                })
                .one();
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

    /** What one assignment publishes: its campaign events, and the message it requests, if any. */
    private record Assigned(List<Pending> events, Outbound notification) {
    }

    private Mono<Assigned> assign(Candidate candidate, MemberView view, ContactPolicy policy) {
        Trigger trigger = candidate.trigger();
        Campaign campaign = candidate.campaign();
        CampaignDefinition definition = campaign.definition();
        MemberKey member = trigger.member();
        Assignments.Group group = Assignments.groupOf(member.merchantId(), campaign.campaignId(), member.customerId(), definition);
        Mono<SuppressionReason> budget = group.holdout() ? Mono.just(SuppressionReason.OTHER) : budgetLeft(candidate);
        CampaignDefinition.Notification message = group.variant() == null ? null : group.variant().reward().notification();
        return budget.flatMap(spent -> {
            boolean withinBudget = !group.holdout() && spent == SuppressionReason.OTHER;
            Mono<Contact> contact = withinBudget && message != null ? contact(candidate, message, view, policy) : Mono.just(new Contact("NONE", null, null));
            return contact.map(decided -> new Object[] {spent, decided});
        }).flatMap(decision -> {
            SuppressionReason spent = (SuppressionReason) decision[0];
            Contact contact = (Contact) decision[1];
            CampaignDefinition.Reward offered = group.variant() == null ? null : group.variant().reward();
            boolean messageOnly = offered != null && offered.coupon() == null && offered.bonusPoints() == null;
            // A reward that is only a message, which may not be sent, reaches nobody: the member counts as suppressed, with why.
            boolean treated = !group.holdout() && spent == SuppressionReason.OTHER && !(messageOnly && "SUPPRESSED".equals(contact.status()));
            AssignmentGroup assigned = group.holdout() ? AssignmentGroup.HOLDOUT : treated ? AssignmentGroup.TREATMENT : AssignmentGroup.SUPPRESSED;
            String variant = group.variant() == null ? null : group.variant().code();
            SuppressionReason reason = assigned != AssignmentGroup.SUPPRESSED ? null : spent != SuppressionReason.OTHER ? spent : contact.reason();
            return db.sql("""
                            insert into assignment (merchant_id, campaign_id, customer_id, trigger_key, assignment_group, variant, suppression_reason, assigned_at)
                            values (:merchant, :campaign, :customer, :trigger, :group, :variant, :reason, :at)
                            on conflict do nothing""")
                    .bind("merchant", member.merchantId()).bind("campaign", campaign.campaignId()).bind("customer", member.customerId())
                    .bind("trigger", trigger.triggerKey()).bind("group", assigned.name())
                    .bind("variant", Parameter.fromOrEmpty(variant, String.class))
                    .bind("reason", Parameter.fromOrEmpty(reason == null ? null : reason.name(), String.class))
                    .bind("at", utc(trigger.at()))
                    .fetch().rowsUpdated()
                    .flatMap(inserted -> {
                        if (inserted == 0) {
                            return Mono.just(new Assigned(List.of(), null)); // this trigger was handled before
                        }
                        String fact = campaign.campaignId() + "/" + trigger.triggerKey();
                        List<Pending> rewards = new ArrayList<>();
                        rewards.add(new Pending(member, "assigned/" + fact, trigger.at(), CampaignAssigned.newBuilder().setCampaignId(campaign.campaignId())
                                .setTriggerEventId(trigger.triggerKey()).setGroup(assigned).setVariant(variant).setSuppressionReason(reason).build()));
                        if (!treated && !"SUPPRESSED".equals(contact.status())) {
                            return Mono.just(new Assigned(rewards, null));
                        }
                        CampaignDefinition.Reward reward = group.variant().reward();
                        Mono<Outbound> requested = message == null || "NONE".equals(contact.status()) ? Mono.empty()
                                : recordContact(candidate, message, contact)
                                        .then(Mono.justOrEmpty(contact.goes() ? notification(member, campaign.campaignId(), fact, message, contact) : null));
                        if (!treated) {
                            return requested.then(Mono.just(new Assigned(rewards, null)));
                        }
                        if (reward.bonusPoints() != null) {
                            rewards.add(new Pending(member, "bonus/" + fact, trigger.at(), BonusPointsGranted.newBuilder()
                                    .setGrantId(Envelopes.eventId(Topics.CAMPAIGNS, member + "/bonus/" + fact)).setCampaignId(campaign.campaignId())
                                    .setPoints(reward.bonusPoints())
                                    .setExpiresAt(reward.bonusPointsValidDays() == null ? null : trigger.at().plus(Duration.ofDays(reward.bonusPointsValidDays())))
                                    .build()));
                        }
                        Mono<List<Pending>> withCoupon = reward.coupon() == null ? Mono.just(rewards)
                                : coupons.issue(member, campaign.campaignId(), variant, fact, reward.coupon(), trigger.at())
                                        .map(issued -> {
                                            rewards.add(new Pending(member, "coupon/" + fact, trigger.at(), issued));
                                            return rewards;
                                        })
                                        .defaultIfEmpty(rewards);
                        return withCoupon.flatMap(events -> requested.map(sent -> new Assigned(events, sent)).defaultIfEmpty(new Assigned(events, null)));
                    });
        });
    }

    /** OTHER when the budget allows one more reward, else BUDGET_EXHAUSTED. */
    private Mono<SuppressionReason> budgetLeft(Candidate candidate) {
        CampaignDefinition definition = candidate.campaign().definition();
        CampaignDefinition.Budget budget = definition.budget();
        LocalDate day = LocalDate.ofInstant(candidate.trigger().at(), definition.zone());
        if (budget.total() == null && budget.perDay() == null) {
            // Only the member's own count: read by the key, not by counting every reward of the campaign.
            return budget.perMember() == null ? Mono.just(SuppressionReason.OTHER) : db.sql("""
                            select count(*) as member from assignment
                            where merchant_id = :merchant and campaign_id = :campaign and customer_id = :customer and assignment_group = 'TREATMENT'""")
                    .bind("merchant", candidate.merchantId()).bind("campaign", candidate.campaign().campaignId())
                    .bind("customer", candidate.trigger().member().customerId())
                    .map((row, meta) -> ((Number) row.get("member")).longValue() >= budget.perMember() ? SuppressionReason.BUDGET_EXHAUSTED
                            : SuppressionReason.OTHER)
                    .one();
        }
        return db.sql("""
                        select count(*) as total,
                               count(*) filter (where customer_id = :customer) as member,
                               count(*) filter (where assigned_at >= :dayStart and assigned_at < :dayEnd) as today
                        from assignment where merchant_id = :merchant and campaign_id = :campaign and assignment_group = 'TREATMENT'""")
                .bind("customer", candidate.trigger().member().customerId())
                .bind("dayStart", day.atStartOfDay(definition.zone()).toOffsetDateTime())
                .bind("dayEnd", day.plusDays(1).atStartOfDay(definition.zone()).toOffsetDateTime())
                .bind("merchant", candidate.merchantId()).bind("campaign", candidate.campaign().campaignId())
                .map((row, meta) -> {
                    long total = ((Number) row.get("total")).longValue();
                    long member = ((Number) row.get("member")).longValue();
                    long today = ((Number) row.get("today")).longValue();
                    boolean exhausted = (budget.total() != null && total >= budget.total()) || (budget.perMember() != null && member >= budget.perMember())
                            || (budget.perDay() != null && today >= budget.perDay());
                    return exhausted ? SuppressionReason.BUDGET_EXHAUSTED : SuppressionReason.OTHER;
                })
                .one();
    }

    private Mono<Void> recordContact(Candidate candidate, CampaignDefinition.Notification message, Contact contact) {
        return db.sql("""
                        insert into contact (merchant_id, customer_id, campaign_id, trigger_key, channel, status, reason, decided_at, send_at)
                        values (:merchant, :customer, :campaign, :trigger, :channel, :status, :reason, :at, :sendAt)
                        on conflict do nothing""")
                .bind("merchant", candidate.merchantId()).bind("customer", candidate.trigger().member().customerId())
                .bind("campaign", candidate.campaign().campaignId()).bind("trigger", candidate.trigger().triggerKey())
                .bind("channel", message.channel().name()).bind("status", contact.status())
                .bind("reason", Parameter.fromOrEmpty(contact.reason() == null ? null : contact.reason().name(), String.class))
                .bind("at", utc(clock.instant()))
                .bind("sendAt", Parameter.fromOrEmpty(contact.sendAt() == null ? null : utc(contact.sendAt()), OffsetDateTime.class))
                .then();
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

    private Mono<Void> publish(List<Assigned> assigned) {
        List<Outbound> notifications = assigned.stream().map(Assigned::notification).filter(java.util.Objects::nonNull).toList();
        return events.publish(assigned.stream().flatMap(one -> one.events().stream()).toList()).then(outbox.append(notifications));
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

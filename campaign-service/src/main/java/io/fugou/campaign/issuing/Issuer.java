package io.fugou.campaign.issuing;

import io.fugou.campaign.campaigns.Campaign;
import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.campaigns.Campaigns;
import io.fugou.campaign.coupons.Coupons;
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
    public record Trigger(MemberKey member, TriggerType type, String triggerKey, String tier, Integer orderNumber, String category, Instant at) {

        public static Trigger of(MemberKey member, TriggerType type, String triggerKey, Instant at) {
            return new Trigger(member, type, triggerKey, null, null, null, at);
        }

        boolean meets(CampaignDefinition.Trigger wanted) {
            return wanted.type() == type
                    && (wanted.toTier() == null || wanted.toTier().equals(tier))
                    && (wanted.orderNumber() == null || wanted.orderNumber().equals(orderNumber))
                    && (wanted.category() == null || (category != null && (category.equals(wanted.category()) || category.startsWith(wanted.category() + "/"))));
        }
    }

    private final DatabaseClient db;
    private final Campaigns campaigns;
    private final MemberViews members;
    private final Coupons coupons;
    private final CampaignEvents events;

    public Issuer(DatabaseClient db, Campaigns campaigns, MemberViews members, Coupons coupons, CampaignEvents events) {
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
                            if (listening.merchantId().equals(trigger.member().merchantId()) && trigger.meets(definition.trigger())
                                    && listening.campaign().runsAt(trigger.at())) {
                                candidates.add(new Candidate(trigger, listening.merchantId(), listening.campaign()));
                            }
                        }
                    }
                    if (candidates.isEmpty()) {
                        return Mono.<Void>empty();
                    }
                    return members.of(candidates.stream().map(candidate -> candidate.trigger().member()).distinct().toList())
                            .flatMap(views -> lockCampaigns(candidates)
                                    .thenMany(Flux.fromIterable(candidates)
                                            .filter(candidate -> inAudience(candidate.campaign().definition().audience(), views.get(candidate.trigger().member())))
                                            .concatMap(this::assign))
                                    .collectList()
                                    .flatMap(this::publish));
                });
    }

    /** Budgets are counted under the campaign's lock, so two batches cannot both give its last reward. */
    private Mono<Void> lockCampaigns(List<Candidate> candidates) {
        return Flux.fromIterable(candidates.stream().map(candidate -> candidate.merchantId() + '\u0000' + candidate.campaign().campaignId())
                        .distinct().sorted().toList())
                .concatMap(key -> campaigns.lock(new MerchantId(key.substring(0, key.indexOf('\u0000'))), key.substring(key.indexOf('\u0000') + 1)))
                .then();
    }

    static boolean inAudience(CampaignDefinition.Audience audience, MemberView member) {
        if (member == null || member.erased()) {
            return false; // not a member (yet), or one whose data is gone
        }
        return (audience.tiers().isEmpty() || audience.tiers().contains(member.tier()))
                && (audience.channels().isEmpty() || audience.channels().stream().anyMatch(channel -> channel.name().equals(member.channel())))
                && (audience.consentedTo().isEmpty() || audience.consentedTo().stream().anyMatch(channel -> member.consents().contains(channel.name())));
    }

    private Mono<List<Pending>> assign(Candidate candidate) {
        Trigger trigger = candidate.trigger();
        Campaign campaign = candidate.campaign();
        CampaignDefinition definition = campaign.definition();
        MemberKey member = trigger.member();
        Assignments.Group group = Assignments.groupOf(member.merchantId(), campaign.campaignId(), member.customerId(), definition);
        Mono<SuppressionReason> budget = group.holdout() ? Mono.just(SuppressionReason.OTHER) : budgetLeft(candidate);
        return budget.flatMap(suppressed -> {
            boolean treated = !group.holdout() && suppressed == SuppressionReason.OTHER;
            AssignmentGroup assigned = group.holdout() ? AssignmentGroup.HOLDOUT : treated ? AssignmentGroup.TREATMENT : AssignmentGroup.SUPPRESSED;
            String variant = group.variant() == null ? null : group.variant().code();
            SuppressionReason reason = assigned == AssignmentGroup.SUPPRESSED ? suppressed : null;
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
                            return Mono.just(List.<Pending>of()); // this trigger was handled before
                        }
                        String fact = campaign.campaignId() + "/" + trigger.triggerKey();
                        List<Pending> rewards = new ArrayList<>();
                        rewards.add(new Pending(member, "assigned/" + fact, trigger.at(), CampaignAssigned.newBuilder().setCampaignId(campaign.campaignId())
                                .setTriggerEventId(trigger.triggerKey()).setGroup(assigned).setVariant(variant).setSuppressionReason(reason).build()));
                        if (!treated) {
                            return Mono.just(rewards);
                        }
                        CampaignDefinition.Reward reward = group.variant().reward();
                        if (reward.bonusPoints() != null) {
                            rewards.add(new Pending(member, "bonus/" + fact, trigger.at(), BonusPointsGranted.newBuilder()
                                    .setGrantId(Envelopes.eventId(Topics.CAMPAIGNS, member + "/bonus/" + fact)).setCampaignId(campaign.campaignId())
                                    .setPoints(reward.bonusPoints())
                                    .setExpiresAt(reward.bonusPointsValidDays() == null ? null : trigger.at().plus(Duration.ofDays(reward.bonusPointsValidDays())))
                                    .build()));
                        }
                        if (reward.coupon() == null) {
                            return Mono.just(rewards);
                        }
                        return coupons.issue(member, campaign.campaignId(), variant, fact, reward.coupon(), trigger.at())
                                .map(issued -> {
                                    rewards.add(new Pending(member, "coupon/" + fact, trigger.at(), issued));
                                    return rewards;
                                });
                    });
        });
    }

    /** OTHER when the budget allows one more reward, else BUDGET_EXHAUSTED. */
    private Mono<SuppressionReason> budgetLeft(Candidate candidate) {
        CampaignDefinition definition = candidate.campaign().definition();
        CampaignDefinition.Budget budget = definition.budget();
        LocalDate day = LocalDate.ofInstant(candidate.trigger().at(), definition.zone());
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

    private Mono<Void> publish(List<List<Pending>> assigned) {
        return events.publish(assigned.stream().flatMap(List::stream).toList());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

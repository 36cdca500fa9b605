package io.fugou.campaign.campaigns.web;

import io.fugou.campaign.campaigns.Campaign;
import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.Campaigns;
import io.fugou.campaign.campaigns.ProgramTiers;
import io.fugou.campaign.issuing.AudienceCounts;
import io.fugou.campaign.issuing.CampaignReports;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/** Marketers' campaigns: create, change while not running, activate, pause, end, read, and each one's report. */
@RestController
public class CampaignController {

    private final Campaigns campaigns;
    private final CampaignReports reports;
    private final AudienceCounts audiences;
    private final ProgramTiers tiers;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public CampaignController(Campaigns campaigns, CampaignReports reports, AudienceCounts audiences, ProgramTiers tiers,
                              ReactiveTransactionManager transactions, Clock clock) {
        this.tiers = tiers;
        this.audiences = audiences;
        this.campaigns = campaigns;
        this.reports = reports;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    @Operation(summary = "Creates a campaign as a draft (it rewards nobody until activated)")
    @PostMapping("/api/v1/campaigns")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = {
            @ExampleObject(name = "MEMBER_ENROLLED: a welcome gift, A/B with a holdout", value = CampaignExamples.MEMBER_ENROLLED),
            @ExampleObject(name = "REFERRAL_ENROLLED: reward the referrer and the new member", value = CampaignExamples.REFERRAL_ENROLLED),
            @ExampleObject(name = "TIER_UPGRADED: gold upgrade", value = CampaignExamples.TIER_UPGRADED),
            @ExampleObject(name = "FIRST_ORDER: nudge the second purchase", value = CampaignExamples.FIRST_ORDER),
            @ExampleObject(name = "NTH_ORDER: thank the third order", value = CampaignExamples.NTH_ORDER),
            @ExampleObject(name = "REFERRED_FIRST_ORDER: reward the referrer when the friend buys", value = CampaignExamples.REFERRED_FIRST_ORDER),
            @ExampleObject(name = "CATEGORY_BOUGHT: cross-sell snacks to beer buyers", value = CampaignExamples.CATEGORY_BOUGHT),
            @ExampleObject(name = "CATEGORY_BOUGHT: the category analytics finds bought next", value = CampaignExamples.CATEGORY_BOUGHT_NEXT),
            @ExampleObject(name = "STAGE_CHANGED: win back members at risk", value = CampaignExamples.STAGE_CHANGED),
            @ExampleObject(name = "POINTS_EXPIRING: warn of expiring points", value = CampaignExamples.POINTS_EXPIRING),
            @ExampleObject(name = "BIRTHDAY: birthday, three days ahead", value = CampaignExamples.BIRTHDAY),
            @ExampleObject(name = "REPLENISHMENT: replenishment reminder", value = CampaignExamples.REPLENISHMENT),
            @ExampleObject(name = "ENROLLMENT_ANNIVERSARY: membership anniversary", value = CampaignExamples.ENROLLMENT_ANNIVERSARY),
            @ExampleObject(name = "NO_PURCHASE: 45 days without an order", value = CampaignExamples.NO_PURCHASE),
            @ExampleObject(name = "MEMBER_DAY: member day every month", value = CampaignExamples.MEMBER_DAY),
            @ExampleObject(name = "PRODUCT_VIEWED: viewed wine, bought nothing in 4 hours", value = CampaignExamples.PRODUCT_VIEWED),
            @ExampleObject(name = "CART_ABANDONED: cart left for 2 hours", value = CampaignExamples.CART_ABANDONED)}))
    public Mono<ResponseEntity<Campaign>> create(MerchantId merchant, @RequestBody CampaignDefinition definition) {
        String id = "cmp-" + UUID.randomUUID().toString().substring(0, 13);
        return tiers.checked(merchant, definition.validated())
                .flatMap(valid -> campaigns.create(merchant, id, valid, clock.instant().truncatedTo(ChronoUnit.MILLIS)))
                .map(created -> ResponseEntity.created(UriComponentsBuilder.fromPath("/api/v1/campaigns/{id}").buildAndExpand(id).toUri()).body(created));
    }

    @Operation(summary = "Says how many current members a campaign's audience matches, and how many of them its message would not reach "
            + "now (no consent to the channel, or contacted up to the contact policy's cap), without creating it")
    @PostMapping("/api/v1/campaigns/dry-run")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "an SMS to gold members",
            value = """
                    {"name": "Gold news", "trigger": {"type": "MEMBER_DAY", "dayOfMonth": 8}, "audience": {"tiers": ["gold"], "consentedTo": ["SMS"]},
                     "reward": {"notification": {"channel": "SMS", "templateId": "gold-news"}}, "budget": {"perMember": 100}}""")))
    public Mono<AudienceCounts.DryRun> dryRun(MerchantId merchant, @RequestBody CampaignDefinition definition) {
        return tiers.checked(merchant, definition.validated()).flatMap(valid -> audiences.count(merchant, valid, clock.instant()));
    }

    @Operation(summary = "Replaces a campaign's definition while it is a draft or paused")
    @PutMapping("/api/v1/campaigns/{campaignId}")
    public Mono<Campaign> update(MerchantId merchant, @PathVariable String campaignId, @RequestBody CampaignDefinition definition) {
        return tiers.checked(merchant, definition.validated())
                .flatMap(valid -> change(merchant, campaignId, EnumSet.of(Campaign.Status.DRAFT, Campaign.Status.PAUSED), null, valid));
    }

    @Operation(summary = "Activates a draft or paused campaign: from now its trigger rewards its audience")
    @PostMapping("/api/v1/campaigns/{campaignId}/activate")
    public Mono<Campaign> activate(MerchantId merchant, @PathVariable String campaignId) {
        return change(merchant, campaignId, EnumSet.of(Campaign.Status.DRAFT, Campaign.Status.PAUSED), Campaign.Status.ACTIVE, null);
    }

    @Operation(summary = "Pauses an active campaign (triggers meanwhile reward nobody)")
    @PostMapping("/api/v1/campaigns/{campaignId}/pause")
    public Mono<Campaign> pause(MerchantId merchant, @PathVariable String campaignId) {
        return change(merchant, campaignId, EnumSet.of(Campaign.Status.ACTIVE), Campaign.Status.PAUSED, null);
    }

    @Operation(summary = "Ends a campaign for good")
    @PostMapping("/api/v1/campaigns/{campaignId}/end")
    public Mono<Campaign> end(MerchantId merchant, @PathVariable String campaignId) {
        return change(merchant, campaignId, EnumSet.of(Campaign.Status.DRAFT, Campaign.Status.ACTIVE, Campaign.Status.PAUSED), Campaign.Status.ENDED, null);
    }

    @Operation(summary = "One campaign")
    @GetMapping("/api/v1/campaigns/{campaignId}")
    public Mono<Campaign> campaign(MerchantId merchant, @PathVariable String campaignId) {
        return campaigns.find(merchant, campaignId).switchIfEmpty(Mono.error(() -> notFound(campaignId)));
    }

    @Operation(summary = "The merchant's campaigns, newest first; pass nextCursor back as cursor")
    @GetMapping("/api/v1/campaigns")
    public Mono<Page<Campaign>> campaigns(MerchantId merchant, PageRequest page) {
        return campaigns.list(merchant, page);
    }

    @Operation(summary = "A campaign's report per group and variant: assigned, held out, suppressed by reason, coupons issued")
    @GetMapping("/api/v1/campaigns/{campaignId}/report")
    public Mono<CampaignReports.Report> report(MerchantId merchant, @PathVariable String campaignId) {
        return campaigns.find(merchant, campaignId).switchIfEmpty(Mono.error(() -> notFound(campaignId)))
                .then(reports.of(merchant, campaignId));
    }

    private Mono<Campaign> change(MerchantId merchant, String campaignId, Set<Campaign.Status> from, Campaign.Status to, CampaignDefinition definition) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return campaigns.lock(merchant, campaignId)
                .switchIfEmpty(Mono.error(() -> notFound(campaignId)))
                .flatMap(campaign -> {
                    if (!from.contains(campaign.status())) {
                        return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "Campaign " + campaignId + " is " + campaign.status()
                                + "; this needs it to be " + from + "."));
                    }
                    Campaign.Status status = to == null ? campaign.status() : to;
                    CampaignDefinition kept = definition == null ? campaign.definition() : definition;
                    CampaignDefinition was = campaign.definition();
                    // Rewards are counted per campaign and day only while the budget needs it (Issuer): counted anew when it starts to.
                    boolean recount = kept.budget().countedPerCampaign()
                            && (!was.budget().countedPerCampaign() || !was.zone().equals(kept.zone()));
                    return campaigns.update(merchant, campaignId, status, kept, now)
                            .then(recount ? campaigns.recountBudgetUse(merchant, campaignId, kept.zone()) : Mono.empty())
                            .thenReturn(new Campaign(campaignId, status, kept, campaign.createdAt(), now));
                })
                .as(transactional::transactional);
    }

    private static ResponseStatusException notFound(String campaignId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No campaign " + campaignId + ".");
    }
}

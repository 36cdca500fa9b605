package io.fugou.campaign.campaigns.web;

import io.fugou.campaign.campaigns.Campaign;
import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.Campaigns;
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

    private static final String WELCOME = """
            {"name": "Welcome gift",
             "trigger": {"type": "MEMBER_ENROLLED"},
             "audience": {"everyone": true},
             "variants": [{"code": "ten-off", "weight": 50,
                           "reward": {"coupon": {"templateId": "welcome-10", "amountOffMinor": 1000, "currency": "CNY",
                                                 "minimumSpendMinor": 5000, "validDays": 30}}},
                          {"code": "points", "weight": 50, "reward": {"bonusPoints": 200, "bonusPointsValidDays": 90}}],
             "holdoutPercent": 10,
             "schedule": {"startsAt": "2027-01-01T00:00:00+08:00", "timeZone": "Asia/Shanghai"},
             "budget": {"total": 10000, "perMember": 1, "perDay": 1000}}""";

    private final Campaigns campaigns;
    private final CampaignReports reports;
    private final AudienceCounts audiences;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public CampaignController(Campaigns campaigns, CampaignReports reports, AudienceCounts audiences, ReactiveTransactionManager transactions,
                              Clock clock) {
        this.audiences = audiences;
        this.campaigns = campaigns;
        this.reports = reports;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    @Operation(summary = "Creates a campaign as a draft (it rewards nobody until activated)")
    @PostMapping("/api/v1/campaigns")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = {
            @ExampleObject(name = "a welcome gift, A/B with a holdout", value = WELCOME),
            @ExampleObject(name = "reward the referrer and the new member", value = """
                    {"name": "Bring a friend", "trigger": {"type": "REFERRAL_ENROLLED"}, "audience": {"everyone": true},
                     "reward": {"coupon": {"templateId": "friend-20", "amountOffMinor": 2000, "currency": "CNY", "validDays": 14}}}"""),
            @ExampleObject(name = "gold upgrade", value = """
                    {"name": "Welcome to gold", "trigger": {"type": "TIER_UPGRADED", "toTier": "gold"}, "audience": {"tiers": ["gold"]},
                     "reward": {"coupon": {"templateId": "gold-ship", "freeShipping": true, "validDays": 60}, "bonusPoints": 500}}""")}))
    public Mono<ResponseEntity<Campaign>> create(MerchantId merchant, @RequestBody CampaignDefinition definition) {
        CampaignDefinition valid = definition.validated();
        String id = "cmp-" + UUID.randomUUID().toString().substring(0, 13);
        return campaigns.create(merchant, id, valid, clock.instant().truncatedTo(ChronoUnit.MILLIS))
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
        return audiences.count(merchant, definition.validated(), clock.instant());
    }

    @Operation(summary = "Replaces a campaign's definition while it is a draft or paused")
    @PutMapping("/api/v1/campaigns/{campaignId}")
    public Mono<Campaign> update(MerchantId merchant, @PathVariable String campaignId, @RequestBody CampaignDefinition definition) {
        CampaignDefinition valid = definition.validated();
        return change(merchant, campaignId, EnumSet.of(Campaign.Status.DRAFT, Campaign.Status.PAUSED), null, valid);
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
                    return campaigns.update(merchant, campaignId, status, kept, now)
                            .thenReturn(new Campaign(campaignId, status, kept, campaign.createdAt(), now));
                })
                .as(transactional::transactional);
    }

    private static ResponseStatusException notFound(String campaignId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No campaign " + campaignId + ".");
    }
}

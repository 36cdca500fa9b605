package io.fugou.campaign.coupons.web;

import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.coupons.CouponTemplates;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The coupon templates members can buy with points: loyalty-service's redemption names one, and campaign-service issues it. */
@RestController
public class CouponTemplateController {

    private final CouponTemplates templates;
    private final Clock clock;

    public CouponTemplateController(CouponTemplates templates, Clock clock) {
        this.templates = templates;
        this.clock = clock;
    }

    @Operation(summary = "Creates or replaces a coupon template (201 when new); coupons issued before keep their terms")
    @PutMapping("/api/v1/coupon-templates/{templateId}")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "ten off a 50 basket, for points",
            value = "{\"amountOffMinor\": 1000, \"currency\": \"CNY\", \"minimumSpendMinor\": 5000, \"validDays\": 30, \"returnOnRefund\": true}")))
    public Mono<ResponseEntity<CampaignDefinition.Coupon>> save(MerchantId merchant, @PathVariable String templateId,
                                                                @RequestBody CampaignDefinition.Coupon terms) {
        if (terms.templateId() != null && !terms.templateId().equals(templateId)) {
            throw new InvalidFieldException("templateId", "must be left out or be the template id of the path, " + templateId);
        }
        CampaignDefinition.Coupon template = terms.withTemplateId(templateId);
        CampaignDefinition.validate(template, "");
        if (template.categoryBoughtNext()) {
            throw new InvalidFieldException("categoryBoughtNext", "applies to a CATEGORY_BOUGHT campaign's coupon only, not to a template bought with points");
        }
        return templates.save(merchant, template, clock.instant())
                .map(created -> ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK).body(template));
    }

    @Operation(summary = "A coupon template")
    @GetMapping("/api/v1/coupon-templates/{templateId}")
    public Mono<CampaignDefinition.Coupon> template(MerchantId merchant, @PathVariable String templateId) {
        return templates.find(merchant, templateId)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No coupon template " + templateId + ".")));
    }

    @Operation(summary = "The merchant's coupon templates, by id")
    @GetMapping("/api/v1/coupon-templates")
    public Flux<CampaignDefinition.Coupon> templates(MerchantId merchant) {
        return templates.list(merchant);
    }
}

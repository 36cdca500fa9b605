package io.fugou.campaign.coupons.web;

import io.fugou.campaign.coupons.Coupons;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Clock;
import io.fugou.platform.money.Currencies;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import reactor.core.publisher.Mono;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/** A member's coupon wallet, as the shop shows it at checkout. */
@RestController
public class CouponController {

    private final Coupons coupons;
    private final Clock clock;

    public CouponController(Coupons coupons, Clock clock) {
        this.coupons = coupons;
        this.clock = clock;
    }

    /** A basket: its total before coupons (minor units), currency, and its lines' categories. */
    public record BasketRequest(Long totalMinor, String currency, List<String> categories) {
    }

    @Operation(summary = "Checks whether the member can use a coupon code on a basket, and what it takes off; when not, the reason "
            + "(NOT_FOUND, USED, EXPIRED, NOT_YET_VALID, OTHER_CURRENCY, BELOW_MINIMUM_SPEND, NO_ELIGIBLE_CATEGORY)")
    @PostMapping("/api/v1/members/{customerId}/coupons/{code}/check")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "a basket of drinks",
            value = "{\"totalMinor\": 12900, \"currency\": \"CNY\", \"categories\": [\"drinks/beer\"]}")))
    public Mono<Coupons.Check> check(MerchantId merchant, @PathVariable String customerId, @PathVariable String code, @RequestBody BasketRequest basket) {
        if (basket.totalMinor() == null || basket.totalMinor() < 0) {
            throw new InvalidFieldException("totalMinor", "must be the basket's total before coupons, in minor units, 0 or more");
        }
        if (!Currencies.isIso4217(basket.currency())) {
            throw new InvalidFieldException("currency", "must be an ISO-4217 currency code such as CNY");
        }
        return coupons.check(merchant, customerId, code,
                new Coupons.Basket(basket.totalMinor(), basket.currency(), basket.categories() == null ? List.of() : basket.categories()), clock.instant());
    }

    @Operation(summary = "The member's coupons usable now (issued, unused, unexpired), the soonest to expire first")
    @GetMapping("/api/v1/members/{customerId}/coupons")
    public Flux<Coupons.Coupon> coupons(MerchantId merchant, @PathVariable String customerId) {
        return coupons.usable(merchant, customerId, clock.instant());
    }
}

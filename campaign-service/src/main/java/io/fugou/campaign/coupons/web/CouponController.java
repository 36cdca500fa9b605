package io.fugou.campaign.coupons.web;

import io.fugou.campaign.coupons.Coupons;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Clock;
import org.springframework.web.bind.annotation.GetMapping;
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

    @Operation(summary = "The member's coupons usable now (issued, unused, unexpired), the soonest to expire first")
    @GetMapping("/api/v1/members/{customerId}/coupons")
    public Flux<Coupons.Coupon> coupons(MerchantId merchant, @PathVariable String customerId) {
        return coupons.usable(merchant, customerId, clock.instant());
    }
}

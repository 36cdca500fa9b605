package io.fugou.loyalty.redemption.web;

import io.fugou.loyalty.redemption.Redemption;
import io.fugou.loyalty.redemption.Redemptions;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Points for a reward at checkout: reserve, then confirm when the order goes through or cancel when it
 * does not. Send an {@code Idempotency-Key} with each request so a retry after a lost answer is answered
 * the same instead of reserving twice.
 */
@RestController
public class RedemptionController {

    public record RedemptionResponse(String redemptionId, String customerId, long points, String reward, String rewardId, String orderId,
                                     Long cashAmountMinor, String cashCurrency, String state, Instant reservedAt, Instant expiresAt,
                                     Instant settledAt) {

        static RedemptionResponse of(Redemption r) {
            return new RedemptionResponse(r.redemptionId(), r.customerId(), r.points(), r.reward().name(), r.rewardId(), r.orderId(),
                    r.cashMinor(), r.cashCurrency(), r.state().name(), r.reservedAt(), r.expiresAt(), r.settledAt());
        }
    }

    private final Redemptions redemptions;

    public RedemptionController(Redemptions redemptions) {
        this.redemptions = redemptions;
    }

    @Operation(summary = "Reserves points for a reward (a coupon template, a gift SKU, or cash off an order at the merchant's rate); "
            + "409 when the member's available points less those already held are not enough")
    @PostMapping("/api/v1/members/{customerId}/redemptions")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = {
            @ExampleObject(name = "a coupon", value = "{\"points\": 300, \"reward\": \"COUPON\", \"rewardId\": \"template-10-off\"}"),
            @ExampleObject(name = "cash off an order", value = "{\"points\": 500, \"reward\": \"CASH_OFF\", \"orderId\": \"order-9\"}")}))
    public Mono<RedemptionResponse> reserve(MerchantId merchant, @PathVariable String customerId, @RequestBody Redemptions.Request request) {
        return redemptions.reserve(merchant, customerId, request).map(RedemptionResponse::of);
    }

    @Operation(summary = "Spends the reserved points (PointsRedeemed); confirming again answers the same")
    @PostMapping("/api/v1/redemptions/{redemptionId}/confirm")
    public Mono<RedemptionResponse> confirm(MerchantId merchant, @PathVariable String redemptionId) {
        return redemptions.confirm(merchant, redemptionId).map(RedemptionResponse::of);
    }

    @Operation(summary = "Gives the reserved points back; cancelling again answers the same")
    @PostMapping("/api/v1/redemptions/{redemptionId}/cancel")
    public Mono<RedemptionResponse> cancel(MerchantId merchant, @PathVariable String redemptionId) {
        return redemptions.cancel(merchant, redemptionId).map(RedemptionResponse::of);
    }

    @Operation(summary = "A redemption and its state (RESERVED, CONFIRMED, CANCELLED, or EXPIRED once its time ran out unconfirmed)")
    @GetMapping("/api/v1/redemptions/{redemptionId}")
    public Mono<RedemptionResponse> get(MerchantId merchant, @PathVariable String redemptionId) {
        return redemptions.find(merchant, redemptionId).map(RedemptionResponse::of);
    }
}

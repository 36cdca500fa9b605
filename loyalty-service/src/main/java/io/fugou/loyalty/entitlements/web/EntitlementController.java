package io.fugou.loyalty.entitlements.web;

import io.fugou.loyalty.entitlements.Entitlements;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** A member's prepaid entitlements (the 101 bottles): what is left, and drawing units at the counter. */
@RestController
public class EntitlementController {

    public record EntitlementResponse(String entitlementId, String sku, int units, int remaining, String orderId, Instant grantedAt,
                                      Instant expiresAt) {

        static EntitlementResponse of(Entitlements.Entitlement e) {
            return new EntitlementResponse(e.entitlementId(), e.sku(), e.units(), e.remaining(), e.orderId(), e.grantedAt(), e.expiresAt());
        }
    }

    /** {@code drawId}: the shop's id of this draw, so it is applied once. */
    public record DrawRequest(String drawId, Integer units, String orderId) {
    }

    private final Entitlements entitlements;

    public EntitlementController(Entitlements entitlements) {
        this.entitlements = entitlements;
    }

    @Operation(summary = "A member's prepaid entitlements, those with units left first")
    @GetMapping("/api/v1/members/{customerId}/entitlements")
    public Mono<List<EntitlementResponse>> list(MerchantId merchant, @PathVariable String customerId) {
        return entitlements.of(merchant, customerId).map(all -> all.stream().map(EntitlementResponse::of).toList());
    }

    @Operation(summary = "Draws units of an entitlement (EntitlementDrawn); 409 when fewer are left or it lapsed")
    @PostMapping("/api/v1/members/{customerId}/entitlements/{entitlementId}/draws")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "a bottle at the counter",
            value = "{\"drawId\": \"store-12-receipt-5521\", \"units\": 1}")))
    public Mono<EntitlementResponse> draw(MerchantId merchant, @PathVariable String customerId, @PathVariable String entitlementId,
                                          @RequestBody DrawRequest request) {
        return entitlements.draw(merchant, customerId, entitlementId, request.drawId(), request.units(), request.orderId())
                .map(EntitlementResponse::of);
    }
}

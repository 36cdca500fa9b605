package io.fugou.loyalty.orders.web;

import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

@RestController
@RequestMapping("/api/v1/paid-orders")
public class PaidOrderController {

    private final PaidOrders paidOrders;

    public PaidOrderController(PaidOrders paidOrders) {
        this.paidOrders = paidOrders;
    }

    @Operation(summary = "A paid order of the token's merchant, as loyalty-service received it")
    @GetMapping("/{orderId}")
    public Mono<PaidOrderResponse> get(MerchantId merchant, @PathVariable String orderId) {
        return paidOrders.find(merchant, orderId)
                .map(PaidOrderResponse::from)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No paid order " + orderId + " for this merchant.")));
    }
}

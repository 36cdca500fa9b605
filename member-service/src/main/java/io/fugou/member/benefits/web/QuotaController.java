package io.fugou.member.benefits.web;

import io.fugou.member.benefits.Quotas;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Monthly quotas of a benefit (free services...): the shop checks what is left and uses one, once per use id. */
@RestController
public class QuotaController {

    public record UseRequest(String useId) {
    }

    private final Quotas quotas;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public QuotaController(Quotas quotas, ReactiveTransactionManager transactions, Clock clock) {
        this.quotas = quotas;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    @Operation(summary = "The member's quotas this month (in the merchant's zone): allowed, used, left")
    @GetMapping("/api/v1/members/{customerId}/quotas")
    public Mono<List<Quotas.Status>> quotas(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @PathVariable String customerId) {
        return quotas.status(merchant, customerId, clock.instant());
    }

    @Operation(summary = "Uses one of a benefit this month: 201 with what is left, 200 for a useId used before (nothing more is taken), "
            + "409 when none is left or the member's benefits give none")
    @PostMapping("/api/v1/members/{customerId}/quotas/{benefit}/uses")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "a free service",
            value = "{\"useId\": \"service-ticket-9912\"}")))
    public Mono<ResponseEntity<Quotas.Use>> use(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @PathVariable String customerId, @io.swagger.v3.oas.annotations.Parameter(example = "free-service") @PathVariable String benefit,
                                                @RequestBody UseRequest request) {
        return quotas.use(merchant, customerId, benefit, request.useId(), clock.instant().truncatedTo(ChronoUnit.MILLIS))
                .map(use -> ResponseEntity.status(use.created() ? HttpStatus.CREATED : HttpStatus.OK).body(use))
                .as(transactional::transactional);
    }
}

package io.fugou.loyalty.interactions.web;

import io.fugou.loyalty.interactions.Interactions;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The shop tells loyalty-service what a member did (a review, a completed profile, a sign-in) and the member earns what its rule gives. */
@RestController
public class InteractionController {

    /** {@code interactionId}: the shop's own id of it (the review's id, the sign-in's date), so it earns once. */
    public record InteractionRequest(String kind, String interactionId, Instant occurredAt) {
    }

    /** What it earned: {@code points} (0 when a cap was reached, named in {@code cappedBy}), and the balance after. */
    public record InteractionResponse(String kind, String interactionId, long points, String cappedBy, Long availableAfter, Long sequence) {
    }

    private final Interactions interactions;

    public InteractionController(Interactions interactions) {
        this.interactions = interactions;
    }

    @Operation(summary = "Records an interaction and credits its points (available at once), within its kind's caps; send an Idempotency-Key")
    @PostMapping("/api/v1/members/{customerId}/interactions")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "a review",
            value = "{\"kind\": \"review\", \"interactionId\": \"review-88123\", \"occurredAt\": \"2026-12-02T12:00:00Z\"}")))
    public Mono<InteractionResponse> record(MerchantId merchant, @PathVariable String customerId, @RequestBody InteractionRequest request) {
        return interactions.record(merchant, customerId, request.kind(), request.interactionId(), request.occurredAt())
                .map(outcome -> new InteractionResponse(outcome.kind(), outcome.interactionId(), outcome.points(), outcome.cappedBy(),
                        outcome.entry() == null ? null : outcome.entry().balanceAfter(),
                        outcome.entry() == null ? null : outcome.entry().sequence()));
    }
}

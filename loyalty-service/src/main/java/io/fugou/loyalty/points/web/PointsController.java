package io.fugou.loyalty.points.web;

import io.fugou.loyalty.points.Adjustments;
import io.fugou.loyalty.points.LedgerEntry;
import io.fugou.loyalty.redemption.Redemptions;
import java.security.Principal;
import java.time.Clock;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import io.fugou.loyalty.points.PointsLedger;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** A member's points as the shop shows them: the balances, and the ledger behind them. */
@RestController
@RequestMapping("/api/v1/members/{customerId}/points")
public class PointsController {

    /**
     * The balances; a customer who never earned anything has zeros. {@code held}: reserved by redemptions not
     * yet confirmed; {@code spendable} is available less held.
     */
    public record PointsResponse(String customerId, long available, long held, long spendable, long pending, long lifetime) {
    }

    /** A correction: {@code adjustmentId} is the merchant's own, so sending it again applies it once. */
    public record AdjustmentRequest(String adjustmentId, Long points, String reason) {
    }

    /** One ledger entry: what it moved and the balances after it. */
    public record EntryResponse(long sequence, String entryId, String kind, long points, long availableChange, long pendingChange,
                                long availableAfter, long pendingAfter, long shortfall, String orderId, String refundId,
                                List<String> ruleIds, Instant availableAt, String reason, String operator, Instant occurredAt) {

        static EntryResponse of(LedgerEntry entry) {
            return new EntryResponse(entry.sequence(), entry.entryId(), entry.kind().stored(), entry.points(), entry.availableDelta(),
                    entry.pendingDelta(), entry.balanceAfter(), entry.pendingAfter(), entry.shortfall(), entry.orderId(),
                    entry.refundId(), entry.ruleIds(), entry.availableAt(), entry.reason(), entry.operator(), entry.occurredAt());
        }
    }

    private final PointsLedger ledger;
    private final Redemptions redemptions;
    private final Adjustments adjustments;
    private final Clock clock;

    public PointsController(PointsLedger ledger, Redemptions redemptions, Adjustments adjustments, Clock clock) {
        this.ledger = ledger;
        this.redemptions = redemptions;
        this.adjustments = adjustments;
        this.clock = clock;
    }

    @Operation(summary = "A member's points: available to spend, pending (return window open) and lifetime")
    @GetMapping
    public Mono<PointsResponse> points(MerchantId merchant, @PathVariable String customerId) {
        return ledger.balance(merchant, customerId).zipWith(redemptions.held(merchant, customerId, clock.instant()),
                (balance, held) -> new PointsResponse(customerId, balance.available(), held, balance.available() - held, balance.pending(),
                        balance.lifetime()));
    }

    @Operation(summary = "Corrects a member's points with a reason (PointsAdjusted); the token's subject is recorded as the operator")
    @PostMapping("/adjustments")
    @ResponseStatus(HttpStatus.CREATED)
    public Mono<EntryResponse> adjust(MerchantId merchant, @PathVariable String customerId, @RequestBody AdjustmentRequest request,
                                      Principal operator) {
        return adjustments.adjust(merchant, customerId, request.adjustmentId(), request.points(), request.reason(),
                operator == null ? null : operator.getName()).map(EntryResponse::of);
    }

    @Operation(summary = "A member's ledger, newest entry first, a page at a time (pass nextCursor back as cursor)")
    @GetMapping("/entries")
    public Mono<Page<EntryResponse>> entries(MerchantId merchant, @PathVariable String customerId,
                                             @RequestParam(required = false) String limit, @RequestParam(required = false) String cursor) {
        return ledger.history(merchant, customerId, PageRequest.of(limit, cursor)).map(page -> page.map(EntryResponse::of));
    }
}

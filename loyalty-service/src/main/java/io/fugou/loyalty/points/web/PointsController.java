package io.fugou.loyalty.points.web;

import io.fugou.loyalty.points.Adjustments;
import io.fugou.loyalty.points.Balance;
import io.fugou.loyalty.points.PointsLots;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.web.InvalidFieldException;
import java.time.ZoneId;
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
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
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
    public record PointsResponse(String customerId, long available, long held, long spendable, long pending, long lifetime,
                                 ExpiringSoon expiringSoon) {
    }

    /** Points that expire within the next {@code days} days (the merchant's notice period), the first of them at {@code firstAt}. */
    public record ExpiringSoon(long points, int days, Instant firstAt) {
    }

    /** Points leaving in the next {@code days} days, by when. */
    public record ExpiringResponse(String customerId, int days, long points, List<ExpiringLot> lots) {
    }

    public record ExpiringLot(Instant expiresAt, long points) {
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
    private final PointsLots lots;
    private final RuleBook rules;
    private final Redemptions redemptions;
    private final Adjustments adjustments;
    private final Clock clock;

    public PointsController(PointsLedger ledger, PointsLots lots, RuleBook rules, Redemptions redemptions, Adjustments adjustments,
                            Clock clock) {
        this.ledger = ledger;
        this.lots = lots;
        this.rules = rules;
        this.redemptions = redemptions;
        this.adjustments = adjustments;
        this.clock = clock;
    }

    @Operation(summary = "A member's points: available to spend, pending (return window open) and lifetime")
    @GetMapping
    public Mono<PointsResponse> points(MerchantId merchant, @PathVariable String customerId) {
        Instant now = clock.instant();
        Mono<ExpiringResponse> soon = rules.inForce(merchant, now)
                .flatMap(version -> expiring(merchant, customerId, version.rules().expiringSoonDays(), version.rules().zone()));
        return Mono.zip(ledger.balance(merchant, customerId), redemptions.held(merchant, customerId, now), soon)
                .map(all -> {
                    Balance balance = all.getT1();
                    long held = all.getT2();
                    ExpiringResponse expiring = all.getT3();
                    return new PointsResponse(customerId, balance.available(), held, balance.available() - held, balance.pending(),
                            balance.lifetime(), new ExpiringSoon(expiring.points(), expiring.days(),
                                    expiring.lots().isEmpty() ? null : expiring.lots().get(0).expiresAt()));
                });
    }

    @Operation(summary = "A member's points that expire by the end of the N-th day from today (default 30, in the merchant's time zone), "
            + "by when; the oldest lots go first")
    @GetMapping("/expiring")
    public Mono<ExpiringResponse> expiring(MerchantId merchant, @PathVariable String customerId,
                                           @RequestParam(required = false) Integer days) {
        int window = days == null ? 30 : days;
        if (window < 1 || window > 3660) {
            throw new InvalidFieldException("days", "must be from 1 to 3660");
        }
        return rules.inForce(merchant, clock.instant()).flatMap(version -> expiring(merchant, customerId, window, version.rules().zone()));
    }

    /** Points whose last usable day is at most {@code days} days from today in the merchant's zone (they expire at that day's end). */
    private Mono<ExpiringResponse> expiring(MerchantId merchant, String customerId, int days, ZoneId zone) {
        Instant now = clock.instant();
        Instant until = now.atZone(zone).toLocalDate().plusDays(days + 1L).atStartOfDay(zone).toInstant();
        return lots.expiring(merchant.value(), customerId, now, until, 1_000)
                .map(found -> new ExpiringResponse(customerId, days, found.stream().mapToLong(PointsLots.Expiring::points).sum(),
                        found.stream().map(lot -> new ExpiringLot(lot.expiresAt(), lot.points())).toList()));
    }

    @Operation(summary = "Corrects a member's points with a reason (PointsAdjusted); the token's subject is recorded as the operator")
    @PostMapping("/adjustments")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "a goodwill gesture",
            value = "{\"adjustmentId\": \"ticket-4711\", \"points\": 200, \"reason\": \"parcel arrived late\"}")))
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

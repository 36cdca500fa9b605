package io.fugou.loyalty.rules.web;

import io.fugou.platform.money.Currencies;
import io.fugou.loyalty.rules.EarningRules;
import io.fugou.loyalty.rules.ReturnWindow;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.loyalty.rules.RuleVersion;
import io.fugou.loyalty.rules.Scoring;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A merchant's earning rules: the version in force, every version, adding one, and scoring an order without writing. */
@RestController
@RequestMapping("/api/v1/earning-rules")
public class EarningRulesController {

    /** A new version; {@code effectiveFrom} defaults to now and may not be in the past. */
    public record NewVersion(Instant effectiveFrom, EarningRules rules) {
    }

    public record VersionResponse(int version, Instant effectiveFrom, EarningRules rules) {
        static VersionResponse of(RuleVersion version) {
            return new VersionResponse(version.version(), version.version() == 0 ? null : version.effectiveFrom(), version.rules());
        }
    }

    public record DryRunLine(String lineId, String sku, String category, Integer quantity, Long paidAmountMinor) {
    }

    /** An order to score: when it was paid (default now), the member's tier then, its currency and lines. */
    public record DryRunOrder(Instant occurredAt, String tier, String currency, List<DryRunLine> lines) {
    }

    public record LinePoints(String lineId, long points) {
    }

    /**
     * What the order would earn. The per-member daily cap is not applied: it depends on what the member
     * earned that day (it is named in {@code perMemberPerDayCap}).
     */
    public record DryRunResult(int rulesVersion, long points, List<String> ruleIds, List<LinePoints> lines, Instant availableAt,
                               Long perMemberPerDayCap) {
    }

    private final RuleBook ruleBook;
    private final Clock clock;

    public EarningRulesController(RuleBook ruleBook, Clock clock) {
        this.ruleBook = ruleBook;
        this.clock = clock;
    }

    @Operation(summary = "The rules in force now (version 0: the defaults, when the merchant has configured none)")
    @GetMapping
    public Mono<VersionResponse> current(MerchantId merchant) {
        return ruleBook.inForce(merchant, clock.instant()).map(VersionResponse::of);
    }

    @Operation(summary = "Every version of the merchant's rules, the latest to come into force first")
    @GetMapping("/versions")
    public Flux<VersionResponse> versions(MerchantId merchant) {
        return ruleBook.versions(merchant).map(VersionResponse::of);
    }

    @Operation(summary = "Adds a version of the rules, in force from effectiveFrom (now when left out; never in the past). "
            + "Orders are scored by the version in force at their own time, so what was earned before stays as it was.")
    @PostMapping("/versions")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "a programme", value = """
            {"effectiveFrom": "2026-12-01T00:00:00+08:00",
             "rules": {"timeZone": "Asia/Shanghai", "baseRates": [{"currency": "CNY", "points": 1, "per": 100}], "rounding": "DOWN",
                       "tierMultipliers": [{"tier": "gold", "percent": 150}],
                       "memberDays": [{"dayOfWeek": "WEDNESDAY", "percent": 200}],
                       "categoryMultipliers": [{"category": "drinks", "percent": 200}],
                       "caps": {"perOrder": 5000, "perMemberPerDay": 20000}, "returnWindowDays": 7,
                       "refundShortfall": "TAKE_AVAILABLE", "pointsExpireAfterDays": 365, "expiringSoonDays": 30,
                       "reservationMinutes": 15, "cashRates": [{"currency": "CNY", "points": 100, "worthMinor": 100}],
                       "interactions": [{"kind": "review", "points": 10, "maxPerDay": 2}],
                       "bundles": [{"sku": "BEER-101-PACK", "coversSku": "BEER-101", "units": 101}]}}""")))
    public Mono<VersionResponse> add(MerchantId merchant, @RequestBody NewVersion request) {
        if (request.rules() == null) {
            throw new InvalidFieldException("rules", "must give the rules (an empty object means the defaults)");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant from = request.effectiveFrom() == null ? now : request.effectiveFrom().truncatedTo(ChronoUnit.MILLIS);
        if (from.isBefore(now.minusSeconds(60))) {
            throw new InvalidFieldException("effectiveFrom", "must not be in the past: orders already scored keep the rules they were scored by");
        }
        EarningRules rules;
        try {
            rules = request.rules().validated();
        } catch (InvalidFieldException e) {
            throw new InvalidFieldException("rules." + e.field(), e.getMessage());
        }
        return ruleBook.add(merchant, rules, from, now).map(VersionResponse::of)
                .onErrorMap(DataIntegrityViolationException.class, e -> new ResponseStatusException(HttpStatus.CONFLICT,
                        "Another version was added at the same moment, or one already starts at " + from + "; look at the versions and send it again."));
    }

    @Operation(summary = "Scores an order by the rules in force at its time without writing anything")
    @PostMapping("/dry-run")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "two lines", value = """
            {"occurredAt": "2026-12-02T12:00:00Z", "tier": "gold", "currency": "CNY",
             "lines": [{"lineId": "L1", "sku": "BEER-101", "category": "drinks/beer", "quantity": 2, "paidAmountMinor": 25800},
                       {"lineId": "L2", "sku": "NUTS-7", "category": "snacks", "quantity": 1, "paidAmountMinor": 5000}]}""")))
    public Mono<DryRunResult> dryRun(MerchantId merchant, @RequestBody DryRunOrder order) {
        if (!Currencies.isIso4217(order.currency())) {
            throw new InvalidFieldException("currency", "must be an ISO-4217 currency code such as CNY");
        }
        if (order.lines() == null || order.lines().isEmpty()) {
            throw new InvalidFieldException("lines", "must list at least one line");
        }
        List<Scoring.Line> lines = new ArrayList<>();
        for (int i = 0; i < order.lines().size(); i++) {
            DryRunLine line = order.lines().get(i);
            if (line == null || line.paidAmountMinor() == null || line.paidAmountMinor() < 0) {
                throw new InvalidFieldException("lines[" + i + "].paidAmountMinor", "must be what was paid for the line, in minor units, not negative");
            }
            if (line.quantity() != null && line.quantity() < 0) {
                throw new InvalidFieldException("lines[" + i + "].quantity", "must not be negative");
            }
            String key = line.lineId() != null ? line.lineId() : line.sku() != null ? line.sku() : "L" + (i + 1);
            lines.add(new Scoring.Line(key, line.sku(), line.category(), line.quantity() == null ? 1 : line.quantity(), line.paidAmountMinor()));
        }
        Instant at = order.occurredAt() == null ? clock.instant() : order.occurredAt();
        return ruleBook.inForce(merchant, at).map(version -> {
            Scoring.Score score = Scoring.score(version, new Scoring.Order(order.currency(), at, order.tier(), lines));
            List<Long> shares = score.linePoints(score.points());
            List<LinePoints> perLine = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                perLine.add(new LinePoints(lines.get(i).lineKey(), shares.get(i)));
            }
            return new DryRunResult(version.version(), score.points(), score.ruleIds(), perLine,
                    ReturnWindow.closesAfterPayment(version.rules(), at), version.rules().caps().perMemberPerDay());
        });
    }
}

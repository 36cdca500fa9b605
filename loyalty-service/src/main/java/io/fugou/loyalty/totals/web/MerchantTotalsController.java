package io.fugou.loyalty.totals.web;

import io.fugou.loyalty.rules.RuleBook;
import io.fugou.loyalty.totals.MerchantTotals;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The merchant's points programme in figures: the liability outstanding and each day's movements. */
@RestController
public class MerchantTotalsController {

    private static final int MAX_DAYS = 366;

    /** Outstanding points now, and the movements of each day from {@code from} to {@code to} in the merchant's zone. */
    public record TotalsResponse(String timeZone, MerchantTotals.Outstanding outstanding, List<MerchantTotals.Day> days) {
    }

    private final MerchantTotals totals;
    private final RuleBook rules;
    private final Clock clock;

    public MerchantTotalsController(MerchantTotals totals, RuleBook rules, Clock clock) {
        this.totals = totals;
        this.rules = rules;
        this.clock = clock;
    }

    @Operation(summary = "Points outstanding (a liability) and, per day of the merchant's calendar, points issued, redeemed, expired, "
            + "taken back by refunds and by corrections; from/to default to the last 30 days")
    @GetMapping("/api/v1/points/totals")
    public Mono<TotalsResponse> totals(MerchantId merchant, @RequestParam(required = false) String from,
                                       @RequestParam(required = false) String to) {
        return rules.inForce(merchant, clock.instant()).flatMap(version -> {
            var zone = version.rules().zone();
            LocalDate today = clock.instant().atZone(zone).toLocalDate();
            LocalDate last = date("to", to, today);
            LocalDate first = date("from", from, last.minusDays(29));
            if (first.isAfter(last)) {
                throw new InvalidFieldException("from", "must not be after to");
            }
            if (ChronoUnit.DAYS.between(first, last) >= MAX_DAYS) {
                throw new InvalidFieldException("from", "must be at most " + MAX_DAYS + " days before to");
            }
            return Mono.zip(totals.outstanding(merchant, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)),
                            totals.days(merchant, first, last, zone))
                    .map(both -> new TotalsResponse(zone.getId(), both.getT1(), both.getT2()));
        });
    }

    private static LocalDate date(String field, String value, LocalDate fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidFieldException(field, "must be a date such as 2026-11-29");
        }
    }
}

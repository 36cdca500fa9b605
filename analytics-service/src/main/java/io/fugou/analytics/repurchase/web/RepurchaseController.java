package io.fugou.analytics.repurchase.web;

import io.fugou.analytics.repurchase.Frequency;
import io.fugou.analytics.repurchase.MemberFigures;
import io.fugou.analytics.repurchase.RepurchaseFigure;
import io.fugou.analytics.repurchase.RepurchaseTopology;
import io.fugou.analytics.state.MemberHistory;
import io.fugou.analytics.state.MerchantFigures;
import io.fugou.analytics.streams.AnalyticsProperties;
import io.fugou.analytics.streams.StoreQueries;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/** The merchant's repurchase figures and a buyer's own, live from the state stores (docs/analytics-service.md defines each). */
@RestController
public class RepurchaseController {

    private final StoreQueries stores;
    private final AnalyticsProperties properties;
    private final Clock clock;

    public RepurchaseController(StoreQueries stores, AnalyticsProperties properties, Clock clock) {
        this.stores = stores;
        this.properties = properties;
        this.clock = clock;
    }

    @Operation(summary = "The repurchase rate over a rolling window up to now: buyers, repeat buyers (two or more paid orders), their "
            + "ratio, and buyers by orders in the window")
    @GetMapping("/api/v1/analytics/repurchase")
    public Mono<ResponseEntity<Object>> repurchase(MerchantId merchant, ServerHttpRequest request,
                                              @Parameter(description = "30d, 90d or 365d") @RequestParam(defaultValue = "30d") String window) {
        if (Frequency.Window.named(window) == null) {
            throw new InvalidFieldException("window", "must be 30d, 90d or 365d, was '" + window + "'");
        }
        return stores.merchantFigures(merchant.value(), request,
                figures -> RepurchaseFigure.of(window, figures));
    }

    @Operation(summary = "The repurchase figures of each calendar month (in the service's zone) from one month to another, oldest first; "
            + "by default the last 12 months")
    @GetMapping("/api/v1/analytics/repurchase/months")
    public Mono<ResponseEntity<Object>> months(MerchantId merchant, ServerHttpRequest request,
                                          @Parameter(description = "first month, e.g. 2026-01") @RequestParam(required = false) String from,
                                          @Parameter(description = "last month, e.g. 2026-12") @RequestParam(required = false) String to) {
        MonthRange range = MonthRange.of(from, to, YearMonth.now(clock.withZone(properties.zone())));
        return stores.merchantFigures(merchant.value(), request, figures -> {
            List<RepurchaseFigure> months = new ArrayList<>();
            for (YearMonth month = range.first(); !month.isAfter(range.last()); month = month.plusMonths(1)) {
                months.add(RepurchaseFigure.of(month.toString(), figures));
            }
            return months;
        });
    }

    @Operation(summary = "A buyer's own figures: counted orders, first and last, spend, days between orders (mean and median), categories "
            + "bought, and the predicted next order")
    @GetMapping("/api/v1/analytics/members/{customerId}")
    public Mono<ResponseEntity<Object>> member(MerchantId merchant, ServerHttpRequest request, @PathVariable String customerId) {
        return stores.<MemberHistory>byKey(RepurchaseTopology.MEMBER_ORDERS_STORE, merchant.value() + ":" + customerId, request, history -> {
            if (history == null) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No orders of " + customerId + " are known.");
            }
            return MemberFigures.of(history);
        });
    }
}

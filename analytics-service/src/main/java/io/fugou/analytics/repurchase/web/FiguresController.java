package io.fugou.analytics.repurchase.web;

import io.fugou.analytics.repurchase.CampaignResult;
import io.fugou.analytics.repurchase.CohortRow;
import io.fugou.analytics.repurchase.Headline;
import io.fugou.analytics.repurchase.MembershipFigures;
import io.fugou.analytics.repurchase.NextCategory;
import io.fugou.analytics.repurchase.RepurchaseTopology;
import io.fugou.analytics.repurchase.Rfm;
import io.fugou.analytics.state.MerchantFigures;
import io.fugou.analytics.streams.AnalyticsProperties;
import io.fugou.analytics.streams.StoreQueries;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** The merchant's cohorts, categories bought next, members, points, campaign results, headline figures and their live stream. */
@RestController
public class FiguresController {

    /** How often the live stream looks at the figures; it sends only when they moved. */
    static final Duration STREAM_EVERY = Duration.ofSeconds(1);
    /** How long a stream lasts when its token says no expiry. */
    static final Duration STREAM_AT_MOST = Duration.ofHours(12);
    /** The most days one request for enrollments may span. */
    static final int MAX_DAYS = 366;

    private final StoreQueries stores;
    private final AnalyticsProperties properties;
    private final Clock clock;
    private final JsonMapper json;

    public FiguresController(StoreQueries stores, AnalyticsProperties properties, Clock clock, JsonMapper json) {
        this.stores = stores;
        this.properties = properties;
        this.clock = clock;
        this.json = json;
    }

    @Operation(summary = "The retention matrix: buyers by month of first order (the cohort) against months since, with their share of "
            + "the cohort; by default the last 12 cohorts")
    @GetMapping("/api/v1/analytics/cohorts")
    public Mono<ResponseEntity<Object>> cohorts(MerchantId merchant, ServerHttpRequest request,
                                                @Parameter(description = "first cohort, e.g. 2026-01") @RequestParam(required = false) String from,
                                                @Parameter(description = "last cohort, e.g. 2026-12") @RequestParam(required = false) String to) {
        YearMonth current = YearMonth.now(clock.withZone(properties.zone()));
        MonthRange range = MonthRange.of(from, to, current);
        YearMonth through = range.last().isAfter(current) ? range.last() : current;
        return stores.merchantFigures(merchant.value(), request, figures -> CohortRow.of(figures, range.first(), range.last(), through));
    }

    @Operation(summary = "For each category bought, the categories of the buyer's next order, most often first (for cross-selling)")
    @GetMapping("/api/v1/analytics/next-categories")
    public Mono<ResponseEntity<Object>> nextCategories(MerchantId merchant, ServerHttpRequest request,
                                                       @Parameter(description = "how many next categories per category, 1 to 20")
                                                       @RequestParam(defaultValue = "5") int top) {
        if (top < 1 || top > 20) {
            throw new InvalidFieldException("top", "must be from 1 to 20, was " + top);
        }
        return stores.merchantFigures(merchant.value(), request,
                figures -> NextCategory.of(figures, top));
    }

    @Operation(summary = "Buyers now in each lifecycle stage (NEW, ACTIVE, AT_RISK, LAPSED), judged by each buyer's own rhythm")
    @GetMapping("/api/v1/analytics/lifecycle")
    public Mono<ResponseEntity<Object>> lifecycle(MerchantId merchant, ServerHttpRequest request) {
        return stores.merchantFigures(merchant.value(), request, Headline::stages);
    }

    @Operation(summary = "The merchant's members now by tier, channel and recruitment code, its buyers by lifecycle stage, and its points: "
            + "earned, redeemed, expired, reversed and adjusted in total, and the balance and pending points members hold (the liability)")
    @GetMapping("/api/v1/analytics/members")
    public Mono<ResponseEntity<Object>> members(MerchantId merchant, ServerHttpRequest request) {
        return stores.merchantFigures(merchant.value(), request, MembershipFigures::of);
    }

    @Operation(summary = "Enrollments per day (in the service's zone), every day from one to another; by default the last 30 days")
    @GetMapping("/api/v1/analytics/enrollments")
    public Mono<ResponseEntity<Object>> enrollments(MerchantId merchant, ServerHttpRequest request,
                                                    @Parameter(description = "first day, e.g. 2026-11-01") @RequestParam(required = false) String from,
                                                    @Parameter(description = "last day, e.g. 2026-11-30") @RequestParam(required = false) String to) {
        LocalDate last = to == null ? LocalDate.now(clock.withZone(properties.zone())) : day("to", to);
        LocalDate first = from == null ? last.minusDays(29) : day("from", from);
        if (first.isAfter(last)) {
            throw new InvalidFieldException("from", "must not be after to (" + last + ")");
        }
        if (first.plusDays(MAX_DAYS - 1).isBefore(last)) {
            throw new InvalidFieldException("from", "must be at most " + MAX_DAYS + " days before to");
        }
        return stores.merchantFigures(merchant.value(), request,
                figures -> MembershipFigures.enrollments(figures, first, last));
    }

    @Operation(summary = "The campaigns with results, by id")
    @GetMapping("/api/v1/analytics/campaigns")
    public Mono<ResponseEntity<Object>> campaigns(MerchantId merchant, ServerHttpRequest request) {
        return stores.merchantFigures(merchant.value(), request, CampaignResult::campaigns);
    }

    @Operation(summary = "A campaign's results against its holdout: per variant, buyers assigned, coupons issued and redeemed, conversion "
            + "within the attribution window, and the difference from the holdout with its 95% confidence interval")
    @GetMapping("/api/v1/analytics/campaigns/{campaignId}")
    public Mono<ResponseEntity<Object>> campaign(MerchantId merchant, ServerHttpRequest request, @PathVariable String campaignId) {
        return stores.merchantFigures(merchant.value(), request, figures -> {
            CampaignResult result = CampaignResult.of(campaignId, figures);
            if (result == null) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No buyer has been assigned to campaign " + campaignId + " yet.");
            }
            return result;
        });
    }

    @Operation(summary = "Buyers now per RFM segment (recency, frequency and monetary quintiles among the merchant's buyers)")
    @GetMapping("/api/v1/analytics/rfm")
    public Mono<ResponseEntity<Object>> rfm(MerchantId merchant, ServerHttpRequest request) {
        return stores.merchantFigures(merchant.value(), request, Rfm.Segments::of);
    }

    @Operation(summary = "The headline figures: the repurchase rate over 30, 90 and 365 days and the lifecycle funnel")
    @GetMapping("/api/v1/analytics/headline")
    public Mono<ResponseEntity<Object>> headline(MerchantId merchant, ServerHttpRequest request) {
        return stores.merchantFigures(merchant.value(), request, Headline::of);
    }

    @Operation(summary = "The headline figures as Server-Sent Events: the current ones at once, then each time they move; the stream "
            + "ends when the token expires")
    @GetMapping(value = "/api/v1/analytics/headline/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<String>> headlineStream(MerchantId merchant, ServerHttpRequest request, @AuthenticationPrincipal Jwt token) {
        Duration left = token == null || token.getExpiresAt() == null ? STREAM_AT_MOST : Duration.between(clock.instant(), token.getExpiresAt());
        // Polled through the store routing, so it works whichever instance holds the merchant's figures; sent when it moved.
        return Flux.interval(Duration.ZERO, STREAM_EVERY)
                .onBackpressureDrop() // a slow look skips ticks rather than piling them up
                .concatMap(tick -> stores.merchantFigures(merchant.value(), request, "/api/v1/analytics/headline", Headline::of)
                        .filter(answer -> answer.getStatusCode().is2xxSuccessful()) // another instance's refusal is no headline
                        .map(this::body)
                        .onErrorResume(failure -> Mono.empty()), 1) // restored or moving: the next look sends it
                .distinctUntilChanged()
                .map(body -> ServerSentEvent.builder(body).event("headline").build())
                .take(left.isNegative() ? Duration.ZERO : left);
    }

    private String body(ResponseEntity<Object> answer) {
        Object body = Objects.requireNonNull(answer.getBody());
        return body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : json.writeValueAsString(body);
    }

    private static LocalDate day(String field, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidFieldException(field, "must be a day like 2026-11-29, was '" + value + "'");
        }
    }
}

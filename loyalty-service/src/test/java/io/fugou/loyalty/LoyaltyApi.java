package io.fugou.loyalty;

import io.fugou.events.MemberKey;
import io.fugou.events.orders.OrderEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.OrderEventMother;
import io.fugou.testsupport.TestTokens;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** What the loyalty tests do over HTTP again and again, as a merchant's client would. */
final class LoyaltyApi {

    private final WebTestClient web;
    private final TestTokens tokens;

    LoyaltyApi(WebTestClient web, LocalTokens localTokens) {
        this.web = web;
        this.tokens = new TestTokens(localTokens);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Two bottles at 129.00 (258 points at the default rate), paid at {@code at}. */
    static OrderEvent paidAt(MemberKey member, String orderId, Instant at) {
        OrderEvent paid = OrderEventMother.paid(member.merchantId(), member.customerId(), orderId);
        paid.setOccurredAt(at.truncatedTo(ChronoUnit.MILLIS));
        return paid;
    }

    String token(String merchant, String... scopes) {
        return tokens.forMerchant(merchant, scopes);
    }

    /** Adds a version of the merchant's rules ({@code effectiveFrom} null: now). */
    void addRules(String merchant, Instant effectiveFrom, String rules) {
        web.post().uri("/api/v1/earning-rules/versions").headers(h -> h.setBearerAuth(token(merchant, "loyalty:write")))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"effectiveFrom\": " + (effectiveFrom == null ? "null" : "\"" + effectiveFrom + "\"") + ", \"rules\": " + rules + "}")
                .exchange()
                .expectStatus().isCreated();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> points(MemberKey member) {
        return web.get().uri("/api/v1/members/{customer}/points", member.customerId())
                .headers(h -> h.setBearerAuth(token(member.merchantId(), "loyalty:read"))).exchange()
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }

    /** Reserves points; the reservation as answered. */
    @SuppressWarnings("unchecked")
    Map<String, Object> reserve(MemberKey member, String body) {
        return web.post().uri("/api/v1/members/{customer}/redemptions", member.customerId())
                .headers(h -> h.setBearerAuth(token(member.merchantId(), "loyalty:redeem"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    }

    /** Spends points on a mug: reserved, then confirmed. */
    void redeem(MemberKey member, long points) {
        Map<String, Object> reserved = reserve(member, "{\"points\": " + points + ", \"reward\": \"GIFT\", \"rewardId\": \"MUG-1\"}");
        web.post().uri("/api/v1/redemptions/{id}/confirm", reserved.get("redemptionId"))
                .headers(h -> h.setBearerAuth(token(member.merchantId(), "loyalty:redeem"))).exchange().expectStatus().isOk();
    }
}

package io.fugou.analytics;

import static io.fugou.testsupport.OrderEventMother.fullyRefunded;
import static io.fugou.testsupport.OrderEventMother.paid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import tools.jackson.databind.JsonNode;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.insights.CategoryBoughtNext;
import io.fugou.events.insights.MerchantInsights;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.LifecycleStage;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.lifecycle.NextOrderPredicted;
import io.fugou.events.orders.OrderEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.TestTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Repurchase figures on the real broker and registry, read over HTTP: exactly once, per merchant, through a restart. */
@AnalyticsIntegrationTest
class AnalyticsRepurchaseIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(60);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private StreamsBuilderFactoryBean streams;

    private final KafkaTestClient shop = new KafkaTestClient();

    @Test
    void theRepurchaseRateMovesAsOrdersArriveAndCountsEachOrderOnceThroughARestart() {
        String merchant = "an-" + UUID.randomUUID().toString().substring(0, 8);
        OrderEvent a2 = pay(merchant, "A", "a2", 5);
        pay(merchant, "A", "a1", 10);
        pay(merchant, "B", "b1", 3);
        pay(merchant, "C", "c1", 40);
        pay(merchant, "C", "c2", 2);
        shop.publish(Topics.ORDERS, new MemberKey(merchant, "A"), a2); // a duplicate

        await().atMost(ARRIVAL).untilAsserted(() -> {
            JsonNode figure = repurchase(merchant, "30d");
            assertThat(figure.path("buyers").asLong()).isEqualTo(3);
            assertThat(figure.path("repeatBuyers").asLong()).isEqualTo(1);
            assertThat(figure.path("repurchaseRate").asDouble()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(figure.path("frequency").path("1").asLong()).isEqualTo(2);
        });
        assertThat(repurchase(merchant, "90d").path("repeatBuyers").asLong()).isEqualTo(2);

        // Stopped and started again: the state comes back, and an order delivered again still counts once.
        streams.stop();
        streams.start();
        shop.publish(Topics.ORDERS, new MemberKey(merchant, "A"), a2);
        shop.publish(Topics.ORDERS, new MemberKey(merchant, "B"), at(paid(merchant, "B", "b2"), daysAgo(1)));
        await().atMost(ARRIVAL).untilAsserted(() -> {
            JsonNode figure = repurchase(merchant, "30d");
            assertThat(figure.path("buyers").asLong()).isEqualTo(3);
            assertThat(figure.path("repeatBuyers").asLong()).isEqualTo(2); // A and now B
        });

        // A full refund takes A's second order away.
        shop.publish(Topics.ORDERS, new MemberKey(merchant, "A"), fullyRefunded(a2));
        await().atMost(ARRIVAL).untilAsserted(() -> assertThat(repurchase(merchant, "30d").path("repeatBuyers").asLong()).isEqualTo(1));

        JsonNode buyer = web.get().uri("/api/v1/analytics/members/C").header("Authorization", "Bearer " + token(merchant))
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(buyer.path("orders").asInt()).isEqualTo(2);
        assertThat(buyer.path("medianIntervalDays").asDouble()).isCloseTo(38.0, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void aMerchantSeesOnlyItsOwnFigures() {
        String merchant = "an-" + UUID.randomUUID().toString().substring(0, 8);
        String other = "an-" + UUID.randomUUID().toString().substring(0, 8);
        pay(merchant, "A", "a1", 1);
        await().atMost(ARRIVAL).untilAsserted(() -> assertThat(repurchase(merchant, "30d").path("buyers").asLong()).isEqualTo(1));

        assertThat(repurchase(other, "30d").path("buyers").asLong()).isZero();
        web.get().uri("/api/v1/analytics/members/A").header("Authorization", "Bearer " + token(other))
                .exchange().expectStatus().isNotFound();
        web.get().uri("/api/v1/analytics/repurchase").header("Authorization", "Bearer " + new TestTokens(localTokens).forMerchant(merchant, "members:read"))
                .exchange().expectStatus().isForbidden();
        web.get().uri("/api/v1/analytics/repurchase").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void aWindowThatIsNotKeptIsRefusedNamingTheField() {
        web.get().uri("/api/v1/analytics/repurchase?window=7d").header("Authorization", "Bearer " + token("an-any"))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("window");
        web.get().uri("/api/v1/analytics/repurchase/months?from=2026-13").header("Authorization", "Bearer " + token("an-any"))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("from");
    }

    @Test
    void aBuyersPredictedNextOrderAndStageArePublishedForCampaigns() {
        String merchant = "an-" + UUID.randomUUID().toString().substring(0, 8);
        pay(merchant, "F", "f1", 45);
        pay(merchant, "F", "f2", 35);
        pay(merchant, "F", "f3", 15);

        await().atMost(ARRIVAL).untilAsserted(() -> {
            List<LifecycleEvent> events = shop.readEvents(Topics.LIFECYCLE, new MemberKey(merchant, "F"), Duration.ofMillis(500));
            NextOrderPredicted predicted = events.stream().map(LifecycleEvent::getPayload).filter(NextOrderPredicted.class::isInstance)
                    .map(NextOrderPredicted.class::cast).filter(NextOrderPredicted::getFromOwnHistory).findFirst().orElseThrow();
            assertThat(predicted.getIntervalDays()).isCloseTo(15.0, org.assertj.core.data.Offset.offset(0.001));
            assertThat(Duration.between(predicted.getLastOrderAt(), predicted.getPredictedAt()).toMillis())
                    .isCloseTo(Duration.ofDays(15).toMillis(), org.assertj.core.data.Offset.offset(1_000L));
            assertThat(events.stream().map(LifecycleEvent::getPayload).filter(MemberLifecycleChanged.class::isInstance)
                    .map(change -> ((MemberLifecycleChanged) change).getToStage())).contains(LifecycleStage.ACTIVE);
        });
    }

    @Test
    void anUnreadableOrderIsDeadLetteredWithItsReasonAndTheNextOneCounts() {
        String merchant = "an-" + UUID.randomUUID().toString().substring(0, 8);
        shop.publishBytes(Topics.ORDERS.name(), merchant + ":X", "not avro".getBytes(StandardCharsets.UTF_8));
        pay(merchant, "Y", "y1", 1);

        var deadLetter = shop.awaitRecord(Topics.ORDERS.deadLetterTopic(), record -> (merchant + ":X").equals(record.key()), ARRIVAL);
        assertThat(KafkaTestClient.header(deadLetter, "fugou_dlt-reason")).isNotBlank();
        await().atMost(ARRIVAL).untilAsserted(() -> assertThat(repurchase(merchant, "30d").path("buyers").asLong()).isEqualTo(1));
    }

    @Test
    void theHeadlineStreamSendsAMerchantsFiguresAsTheyMoveAndNoOtherMerchants() {
        String merchant = "an-" + UUID.randomUUID().toString().substring(0, 8);
        String other = "an-" + UUID.randomUUID().toString().substring(0, 8);
        reactor.core.publisher.Flux<String> stream = web.get().uri("/api/v1/analytics/headline/stream").header("Authorization", "Bearer " + token(merchant))
                .accept(org.springframework.http.MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseBody();
        reactor.core.publisher.Flux<String> otherStream = web.get().uri("/api/v1/analytics/headline/stream")
                .header("Authorization", "Bearer " + token(other)).accept(org.springframework.http.MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk().returnResult(String.class).getResponseBody();

        reactor.test.StepVerifier.create(stream.map(AnalyticsRepurchaseIT::buyers30))
                .expectNext(0L) // the figures as they are, at once
                .then(() -> pay(merchant, "A", "a1", 1))
                .expectNext(1L)
                .thenCancel().verify(ARRIVAL);
        reactor.test.StepVerifier.create(otherStream.map(AnalyticsRepurchaseIT::buyers30).take(Duration.ofSeconds(3)))
                .expectNext(0L).verifyComplete();
    }

    @Test
    void cohortsNextCategoriesAndTheLifecycleFunnelAreServed() {
        String merchant = "an-" + UUID.randomUUID().toString().substring(0, 8);
        pay(merchant, "A", "a1", 3);
        shop.publish(Topics.ORDERS, new MemberKey(merchant, "A"), at(paid(merchant, "A", "a2",
                List.of(io.fugou.testsupport.OrderEventMother.line("CHIPS-1", "snacks", 1, 1_000))), daysAgo(1)));

        await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/api/v1/analytics/next-categories")
                .header("Authorization", "Bearer " + token(merchant)).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$[0].category").isEqualTo("drinks/beer")
                .jsonPath("$[0].next[0].category").isEqualTo("snacks")
                .jsonPath("$[0].next[0].share").isEqualTo(1.0));
        web.get().uri("/api/v1/analytics/lifecycle").header("Authorization", "Bearer " + token(merchant)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.ACTIVE").isEqualTo(1).jsonPath("$.NEW").isEqualTo(0);
        String month = java.time.YearMonth.now(java.time.ZoneId.of("Asia/Shanghai")).toString();
        web.get().uri("/api/v1/analytics/cohorts?from=" + month + "&to=" + month).header("Authorization", "Bearer " + token(merchant)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(1).jsonPath("$[0].cohort").isEqualTo(month);
        web.get().uri("/api/v1/analytics/next-categories?top=0").header("Authorization", "Bearer " + token(merchant)).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("top");
    }

    @Test
    void theCategoriesBoughtNextArePublishedForCampaignsOnceTwentyNextOrdersShowThem() {
        String merchant = "an-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 20; i++) {
            String buyer = "B" + i;
            pay(merchant, buyer, buyer + "-1", 9); // beer
            shop.publish(Topics.ORDERS, new MemberKey(merchant, buyer), at(paid(merchant, buyer, buyer + "-2",
                    List.of(io.fugou.testsupport.OrderEventMother.line("CHIPS-1", i < 15 ? "snacks" : "drinks/wine", 1, 1_000))), daysAgo(2)));
        }

        MerchantInsights insights = await().atMost(ARRIVAL).until(() -> shop.readValues(Topics.MERCHANT_INSIGHTS, merchant, Duration.ofMillis(500)),
                published -> !published.isEmpty()).getLast();
        assertThat(insights.getNextCategories()).singleElement().satisfies(beer -> {
            assertThat(beer.getCategory()).isEqualTo("drinks/beer");
            assertThat(beer.getNextOrders()).isEqualTo(20);
            assertThat(beer.getNext()).extracting(CategoryBoughtNext::getCategory, CategoryBoughtNext::getOrders)
                    .containsExactly(tuple("snacks", 15L), tuple("drinks/wine", 5L));
        });
    }

    private static long buyers30(String headline) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(headline).path("repurchase").path("30d").path("buyers").asLong();
    }

    private OrderEvent pay(String merchant, String customer, String orderId, int daysAgo) {
        OrderEvent order = at(paid(merchant, customer, orderId), daysAgo(daysAgo));
        shop.publish(Topics.ORDERS, new MemberKey(merchant, customer), order);
        return order;
    }

    private static OrderEvent at(OrderEvent event, Instant occurredAt) {
        return OrderEvent.newBuilder(event).setOccurredAt(occurredAt).build();
    }

    private static Instant daysAgo(int days) {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofDays(days));
    }

    private JsonNode repurchase(String merchant, String window) {
        return web.get().uri("/api/v1/analytics/repurchase?window=" + window).header("Authorization", "Bearer " + token(merchant))
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private String token(String merchant) {
        return new TestTokens(localTokens).forMerchant(merchant, "analytics:read");
    }
}

package io.fugou.campaign;

import static io.fugou.campaign.CampaignApi.enrolled;
import static io.fugou.campaign.CampaignApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponExpired;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.campaigns.CouponRedeemed;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.insights.CategoryBoughtNext;
import io.fugou.events.insights.CategoryFollowers;
import io.fugou.events.insights.MerchantInsights;
import io.fugou.events.orders.OrderEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.OrderEventMother;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Order triggers (first, nth, a referred member's first, a category bought), and coupons redeemed, checked and expired. */
@CampaignIntegrationTest
class CampaignOrdersIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    @Autowired
    private DatabaseClient db;

    private final KafkaTestClient shop = new KafkaTestClient();

    private CampaignApi api;

    @BeforeEach
    void setUp() {
        api = new CampaignApi(web, localTokens);
        clock.set(Instant.now().minus(Duration.ofMinutes(10)));
    }

    @AfterEach
    void putTheClockBack() {
        clock.set(Instant.now());
    }

    @Test
    void shouldRewardTheFirstTheThirdAReferredFirstOrderAndACategoryOnce() {
        String merchant = unique("merchant");
        api.activate(merchant, "{\"name\": \"Join\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, \"reward\": {\"bonusPoints\": 1}}");
        api.activate(merchant, "{\"name\": \"Second purchase nudge\", \"trigger\": {\"type\": \"FIRST_ORDER\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 10}}");
        api.activate(merchant, "{\"name\": \"Third\", \"trigger\": {\"type\": \"NTH_ORDER\", \"orderNumber\": 3}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"coupon\": {\"templateId\": \"third\", \"percentOff\": 10, \"maxDiscountMinor\": 5000, \"currency\": \"CNY\", \"validDays\": 7}}}");
        api.activate(merchant, "{\"name\": \"Thanks for the friend\", \"trigger\": {\"type\": \"REFERRED_FIRST_ORDER\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 100}}");
        api.activate(merchant, "{\"name\": \"Snacks with your beer\", \"trigger\": {\"type\": \"CATEGORY_BOUGHT\", \"category\": \"drinks\"}, "
                + "\"audience\": {\"everyone\": true}, \"reward\": {\"coupon\": {\"templateId\": \"snacks\", \"amountOffMinor\": 500, \"currency\": \"CNY\", "
                + "\"validDays\": 7, \"categories\": [\"snacks\"]}}}");
        MemberKey referrer = new MemberKey(merchant, "referrer");
        MemberKey friend = new MemberKey(merchant, "friend");
        shop.publish(Topics.MEMBERS, referrer, enrolled(referrer, EnrollmentChannel.SHOP_HOME, null, Instant.now()));
        shop.publish(Topics.MEMBERS, friend, enrolled(friend, EnrollmentChannel.SHOP_HOME, "referrer", Instant.now()));
        shop.awaitEvents(Topics.CAMPAIGNS, referrer, 2, ARRIVAL);
        shop.awaitEvents(Topics.CAMPAIGNS, friend, 2, ARRIVAL); // known to campaigns now

        OrderEvent first = order(friend, "o1", "drinks/beer");
        shop.publish(Topics.ORDERS, friend, first);
        shop.publish(Topics.ORDERS, friend, first); // redelivered: counted once, rewarded once
        shop.publish(Topics.ORDERS, friend, order(friend, "o2", "snacks"));
        shop.publish(Topics.ORDERS, friend, order(friend, "o3", "snacks"));

        // The friend: joining, the first order, beer (drinks/beer is under drinks), the third order; two events each.
        List<CampaignEvent> friendEvents = shop.awaitEvents(Topics.CAMPAIGNS, friend, 8, ARRIVAL);
        assertThat(friendEvents).hasSize(8);
        assertThat(friendEvents).extracting(CampaignEvent::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(friendEvents.stream().map(CampaignEvent::getPayload).filter(CouponIssued.class::isInstance).map(CouponIssued.class::cast)
                .map(CouponIssued::getTemplateId)).containsExactlyInAnyOrder("snacks", "third");
        // The referrer: joining, and the friend's first order.
        List<CampaignEvent> referrerEvents = shop.awaitEvents(Topics.CAMPAIGNS, referrer, 4, ARRIVAL);
        assertThat(referrerEvents).hasSize(4);
        assertThat(((BonusPointsGranted) referrerEvents.get(3).getPayload()).getPoints()).isEqualTo(100L);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldLimitACrossSellCouponToTheCategoryAnalyticsFindsBoughtNextAndToItsOwnCategoriesUntilThen() {
        String merchant = unique("merchant");
        api.activate(merchant, "{\"name\": \"What drinks buyers buy next\", \"trigger\": {\"type\": \"CATEGORY_BOUGHT\", \"category\": \"drinks\"}, "
                + "\"audience\": {\"everyone\": true}, \"reward\": {\"coupon\": {\"templateId\": \"next-10\", \"percentOff\": 10, \"validDays\": 14, "
                + "\"maxDiscountMinor\": 3000, \"currency\": \"CNY\", \"categories\": [\"gifts\"], \"categoryBoughtNext\": true}}}");
        MemberKey early = new MemberKey(merchant, "before-analytics-knew");
        MemberKey beer = new MemberKey(merchant, "beer-buyer");
        MemberKey wine = new MemberKey(merchant, "wine-buyer");
        for (MemberKey member : List.of(early, beer, wine)) {
            shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.SHOP_HOME, null, Instant.now()));
        }
        shop.publish(Topics.ORDERS, early, order(early, "e1", "drinks/beer"));
        shop.awaitEvents(Topics.CAMPAIGNS, early, 2, ARRIVAL);

        // analytics learns that beer buyers come back for beer, then for drinks in general, then for chips.
        shop.publish(Topics.MERCHANT_INSIGHTS, merchant, MerchantInsights.newBuilder().setMerchantId(merchant)
                .setUpdatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setNextCategories(List.of(CategoryFollowers.newBuilder().setCategory("drinks/beer").setNextOrders(40).setBuyers(31).setNext(List.of(
                        new CategoryBoughtNext("drinks/beer", 20L, 0.5), new CategoryBoughtNext("drinks", 12L, 0.3),
                        new CategoryBoughtNext("snacks/chips", 8L, 0.2))).build()))
                .build());
        Awaitility.await().atMost(ARRIVAL).until(() -> db.sql("select count(*) as known from categories_bought_next where merchant_id = :merchant")
                .bind("merchant", merchant).map((row, meta) -> row.get("known", Long.class)).one().block() == 1L);
        shop.publish(Topics.ORDERS, beer, order(beer, "b1", "drinks/beer"));
        shop.publish(Topics.ORDERS, wine, order(wine, "w1", "drinks/wine"));
        List<CampaignEvent> beerEvents = shop.awaitEvents(Topics.CAMPAIGNS, beer, 2, ARRIVAL);
        shop.awaitEvents(Topics.CAMPAIGNS, wine, 2, ARRIVAL);
        // The event carries the coupon's whole terms, so a shop's checkout can honour the category and the cap from it alone.
        CouponIssued issued = beerEvents.stream().map(CampaignEvent::getPayload).filter(CouponIssued.class::isInstance).map(CouponIssued.class::cast)
                .findFirst().orElseThrow();
        assertThat(issued.getCategories()).containsExactly("snacks/chips");
        assertThat(issued.getMaxDiscount().getAmountMinor()).isEqualTo(3000);
        assertThat(issued.getMaxDiscount().getCurrency()).isEqualTo("CNY");
        assertThat(issued.getFreeShipping()).isFalse();

        clock.set(Instant.now()); // the coupons are valid from their orders, after this test's clock
        // Beer itself and the drinks above it are what a beer buyer has; chips are the cross-sell.
        assertThat(couponCategories(beer)).containsExactly(List.of("snacks/chips"));
        // Nothing known yet, or nothing known after wine: the coupon's own categories.
        assertThat(couponCategories(early)).containsExactly(List.of("gifts"));
        assertThat(couponCategories(wine)).containsExactly(List.of("gifts"));
    }

    /** The categories of each of the member's usable coupons, from the shop's wallet API. */
    @SuppressWarnings("unchecked")
    private List<Object> couponCategories(MemberKey member) {
        List<Map<String, Object>> wallet = web.get().uri("/api/v1/members/{customer}/coupons", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "campaigns:read"))).exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
        return wallet.stream().map(coupon -> coupon.get("categories")).toList();
    }

    @Test
    void shouldRewardTheOrdersThatMadeABuyerAMemberWhenTheEnrollmentArrivesAfterThem() {
        String merchant = unique("merchant");
        api.activate(merchant, "{\"name\": \"Second purchase nudge\", \"trigger\": {\"type\": \"FIRST_ORDER\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 10}}");
        api.activate(merchant, "{\"name\": \"Second\", \"trigger\": {\"type\": \"NTH_ORDER\", \"orderNumber\": 2}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 20}}");
        api.activate(merchant, "{\"name\": \"Thanks for the friend\", \"trigger\": {\"type\": \"REFERRED_FIRST_ORDER\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 100}}");
        MemberKey referrer = new MemberKey(merchant, "referrer");
        MemberKey buyer = new MemberKey(merchant, "auto-enrolled-buyer");
        MemberKey lateJoiner = new MemberKey(merchant, "joined-nine-days-after-buying");
        shop.publish(Topics.MEMBERS, referrer, enrolled(referrer, EnrollmentChannel.SHOP_HOME, null, Instant.now()));
        // Not members yet: auto-enrollment follows the order. An earlier order arriving late is the buyer's second, not a second first.
        shop.publish(Topics.ORDERS, buyer, order(buyer, "paid-first", "drinks"));
        OrderEvent earlierButLate = order(buyer, "arrived-second", "drinks");
        earlierButLate.setOccurredAt(earlierButLate.getOccurredAt().minus(Duration.ofMinutes(5)));
        shop.publish(Topics.ORDERS, buyer, earlierButLate);
        OrderEvent longAgo = order(lateJoiner, "nine-days-ago", "drinks");
        longAgo.setOccurredAt(longAgo.getOccurredAt().minus(Duration.ofDays(9)));
        shop.publish(Topics.ORDERS, lateJoiner, longAgo);
        shop.readEvents(Topics.CAMPAIGNS, buyer, Duration.ofSeconds(3)); // the orders are in before the enrollments
        shop.publish(Topics.MEMBERS, buyer, enrolled(buyer, EnrollmentChannel.PURCHASE, "referrer", Instant.now()));
        shop.publish(Topics.MEMBERS, lateJoiner, enrolled(lateJoiner, EnrollmentChannel.PURCHASE, null, Instant.now()));

        List<CampaignEvent> buyerEvents = shop.awaitEvents(Topics.CAMPAIGNS, buyer, 4, ARRIVAL);
        assertThat(buyerEvents.stream().map(CampaignEvent::getPayload).filter(BonusPointsGranted.class::isInstance).map(BonusPointsGranted.class::cast)
                .map(BonusPointsGranted::getPoints)).containsExactlyInAnyOrder(10L, 20L);
        assertThat(buyerEvents).hasSize(4);
        List<CampaignEvent> referrerEvents = shop.awaitEvents(Topics.CAMPAIGNS, referrer, 2, ARRIVAL);
        assertThat(referrerEvents).hasSize(2);
        assertThat(((BonusPointsGranted) referrerEvents.get(1).getPayload()).getPoints()).isEqualTo(100L);
        assertThat(shop.readEvents(Topics.CAMPAIGNS, lateJoiner, Duration.ofSeconds(1))).as("a first order nine days before joining").isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldCheckABasketRedeemACouponOnceAndExpireTheRest() {
        String merchant = unique("merchant");
        api.activate(merchant, "{\"name\": \"Welcome\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                + "\"variants\": [{\"code\": \"only\", \"weight\": 100, \"reward\": {\"coupon\": {\"templateId\": \"ten-off\", \"amountOffMinor\": 1000, "
                + "\"currency\": \"CNY\", \"minimumSpendMinor\": 5000, \"validDays\": 30, \"categories\": [\"drinks\"]}}}]}");
        api.activate(merchant, "{\"name\": \"Flash\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"coupon\": {\"templateId\": \"flash\", \"freeShipping\": true, \"validDays\": 1}}}");
        MemberKey member = new MemberKey(merchant, "buyer");
        shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.SHOP_HOME, null, Instant.now()));
        List<CampaignEvent> events = shop.awaitEvents(Topics.CAMPAIGNS, member, 4, ARRIVAL);
        String tenOff = events.stream().map(CampaignEvent::getPayload).filter(CouponIssued.class::isInstance).map(CouponIssued.class::cast)
                .filter(coupon -> coupon.getTemplateId().equals("ten-off")).findFirst().orElseThrow().getCouponCode();
        clock.set(Instant.now());

        check(member, tenOff, "{\"totalMinor\": 4000, \"currency\": \"CNY\", \"categories\": [\"drinks/beer\"]}")
                .jsonPath("$.usable").isEqualTo(false).jsonPath("$.refusal").isEqualTo("BELOW_MINIMUM_SPEND");
        check(member, tenOff, "{\"totalMinor\": 6000, \"currency\": \"USD\", \"categories\": [\"drinks/beer\"]}").jsonPath("$.refusal").isEqualTo("OTHER_CURRENCY");
        check(member, tenOff, "{\"totalMinor\": 6000, \"currency\": \"CNY\", \"categories\": [\"snacks\"]}").jsonPath("$.refusal").isEqualTo("NO_ELIGIBLE_CATEGORY");
        check(member, "NOSUCHCODE", "{\"totalMinor\": 6000, \"currency\": \"CNY\"}").jsonPath("$.refusal").isEqualTo("NOT_FOUND");
        check(member, tenOff, "{\"totalMinor\": 6000, \"currency\": \"CNY\", \"categories\": [\"drinks/beer\"]}")
                .jsonPath("$.usable").isEqualTo(true).jsonPath("$.discountMinor").isEqualTo(1000);
        web.post().uri("/api/v1/members/{customer}/coupons/{code}/check", member.customerId(), tenOff)
                .headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"totalMinor\": -1, \"currency\": \"CNY\"}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("totalMinor");
        check(new MemberKey(unique("merchant"), member.customerId()), tenOff, "{\"totalMinor\": 6000, \"currency\": \"CNY\"}")
                .jsonPath("$.refusal").isEqualTo("NOT_FOUND"); // another merchant's member

        OrderEvent paid = OrderEventMother.paidWithCoupon(merchant, member.customerId(), "with-coupon",
                List.of(OrderEventMother.line("BEER-1", "drinks/beer", 2, 3000)), tenOff, 1000);
        shop.publish(Topics.ORDERS, member, paid);
        shop.publish(Topics.ORDERS, member, paid); // redelivered: redeemed once
        events = shop.awaitEvents(Topics.CAMPAIGNS, member, 5, ARRIVAL);
        assertThat(events).hasSize(5);
        CouponRedeemed redeemed = (CouponRedeemed) events.get(4).getPayload();
        assertThat(redeemed.getCouponCode()).isEqualTo(tenOff);
        assertThat(redeemed.getOrderId()).isEqualTo("with-coupon");
        assertThat(redeemed.getDiscount().getAmountMinor()).isEqualTo(1000L);
        check(member, tenOff, "{\"totalMinor\": 6000, \"currency\": \"CNY\", \"categories\": [\"drinks/beer\"]}").jsonPath("$.refusal").isEqualTo("USED");

        // Two days later the one-day coupon has expired: the daily job says so once.
        clock.set(Instant.now().plus(Duration.ofDays(2)));
        events = shop.awaitEvents(Topics.CAMPAIGNS, member, 6, ARRIVAL);
        assertThat(events).hasSize(6);
        assertThat(events.get(5).getPayload()).isInstanceOf(CouponExpired.class);
        assertThat((List<Object>) web.get().uri("/api/v1/members/{customer}/coupons", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read"))).exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody()).isEmpty();
    }

    private WebTestClient.BodyContentSpec check(MemberKey member, String code, String basket) {
        return web.post().uri("/api/v1/members/{customer}/coupons/{code}/check", member.customerId(), code)
                .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "campaigns:read"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(basket).exchange().expectStatus().isOk().expectBody();
    }

    private static OrderEvent order(MemberKey member, String orderId, String category) {
        OrderEvent paid = OrderEventMother.paid(member.merchantId(), member.customerId(), orderId, List.of(OrderEventMother.line("SKU", category, 1, 2000)));
        paid.setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        return paid;
    }
}

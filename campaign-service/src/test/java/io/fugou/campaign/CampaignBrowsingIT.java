package io.fugou.campaign;

import static io.fugou.campaign.CampaignApi.enrolled;
import static io.fugou.campaign.CampaignApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.browsing.BrowsingEvent;
import io.fugou.events.browsing.CartAbandoned;
import io.fugou.events.browsing.CartLine;
import io.fugou.events.browsing.ProductViewed;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.orders.OrderEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.OrderEventMother;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** PRODUCT_VIEWED and CART_ABANDONED: a member who browsed and bought nothing within the campaign's hours is nudged, once. */
@CampaignIntegrationTest
class CampaignBrowsingIT {

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
        clock.set(Instant.now().minus(Duration.ofMinutes(5)));
    }

    @AfterEach
    void putTheClockBack() {
        clock.set(Instant.now());
    }

    @Test
    void shouldNudgeMembersWhoBrowsedAndBoughtNothingWithinTheHours() {
        String merchant = unique("merchant");
        api.activate(merchant, "{\"name\": \"Still thinking?\", \"trigger\": {\"type\": \"PRODUCT_VIEWED\", \"category\": \"drinks\", \"hours\": 2}, "
                + "\"audience\": {\"everyone\": true}, \"reward\": {\"coupon\": {\"templateId\": \"drinks-5\", \"amountOffMinor\": 500, \"currency\": \"CNY\", "
                + "\"validDays\": 3, \"categories\": [\"drinks\"]}}}");
        api.activate(merchant, "{\"name\": \"Your cart misses you\", \"trigger\": {\"type\": \"CART_ABANDONED\", \"hours\": 1}, "
                + "\"audience\": {\"everyone\": true}, \"reward\": {\"bonusPoints\": 5}}");
        MemberKey viewer = new MemberKey(merchant, "viewed-beer-twice");
        MemberKey buyer = new MemberKey(merchant, "viewed-then-bought");
        MemberKey snacks = new MemberKey(merchant, "viewed-snacks");
        MemberKey cartLeaver = new MemberKey(merchant, "left-a-cart");
        MemberKey guest = new MemberKey(merchant, "guest-not-a-member");
        for (MemberKey member : List.of(viewer, buyer, snacks, cartLeaver)) {
            shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.SHOP_HOME, null, Instant.now()));
        }
        Instant browsed = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        shop.publish(Topics.BROWSING, viewer, browsing(viewer, browsed, viewed("BEER-1", "drinks/beer")));
        shop.publish(Topics.BROWSING, viewer, browsing(viewer, browsed.plusSeconds(60), viewed("BEER-2", "drinks/beer")));
        shop.publish(Topics.BROWSING, buyer, browsing(buyer, browsed, viewed("WINE-1", "drinks/wine")));
        shop.publish(Topics.BROWSING, snacks, browsing(snacks, browsed, viewed("CHIPS-1", "snacks")));
        shop.publish(Topics.BROWSING, guest, browsing(guest, browsed, viewed("BEER-1", "drinks/beer")));
        shop.publish(Topics.BROWSING, cartLeaver, browsing(cartLeaver, browsed, CartAbandoned.newBuilder().setCartId("cart-1")
                .setLines(List.of(CartLine.newBuilder().setSku("BEER-1").setCategory("drinks/beer").setQuantity(2).setUnitPrice(OrderEventMother.yuan(1500))
                        .build()))
                .setTotal(OrderEventMother.yuan(3000)).build()));
        OrderEvent bought = OrderEventMother.paid(merchant, buyer.customerId(), "bought-the-wine", List.of(OrderEventMother.line("WINE-1", "drinks/wine", 1, 9900)));
        bought.setOccurredAt(browsed.plus(Duration.ofMinutes(30)));
        shop.publish(Topics.ORDERS, buyer, bought);
        await().atMost(ARRIVAL).until(() -> count("select count(*) from browsing_watch where merchant_id = :merchant", merchant) == 4
                && count("select count(*) from member_order where merchant_id = :merchant", merchant) == 1);

        // An hour and a half on, the cart's hour is over; the views' two hours are not.
        clock.set(browsed.plus(Duration.ofMinutes(90)));
        List<CampaignEvent> cart = shop.awaitEvents(Topics.CAMPAIGNS, cartLeaver, 2, ARRIVAL);
        assertThat(cart.stream().map(CampaignEvent::getPayload).filter(BonusPointsGranted.class::isInstance)).hasSize(1);
        assertThat(shop.readEvents(Topics.CAMPAIGNS, viewer, Duration.ofSeconds(2))).isEmpty();

        clock.set(browsed.plus(Duration.ofMinutes(150)));
        List<CampaignEvent> nudged = shop.awaitEvents(Topics.CAMPAIGNS, viewer, 2, ARRIVAL);
        assertThat(nudged).hasSize(2);
        assertThat(((CouponIssued) nudged.get(1).getPayload()).getTemplateId()).isEqualTo("drinks-5");
        for (MemberKey nobody : List.of(buyer, snacks, guest)) {
            assertThat(shop.readEvents(Topics.CAMPAIGNS, nobody, Duration.ofSeconds(1))).as(nobody.customerId()).isEmpty();
        }
        assertThat(shop.readEvents(Topics.CAMPAIGNS, cartLeaver, Duration.ofSeconds(1))).hasSize(2);
        assertThat(count("select count(*) from browsing_watch where merchant_id = :merchant", merchant)).as("waits over are gone").isZero();
    }

    private static ProductViewed viewed(String sku, String category) {
        return ProductViewed.newBuilder().setSku(sku).setCategory(category).build();
    }

    private static BrowsingEvent browsing(MemberKey member, Instant at, SpecificRecord payload) {
        return BrowsingEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at).setMerchantId(member.merchantId())
                .setCustomerId(member.customerId()).setPayload(payload).build();
    }

    private long count(String sql, String merchant) {
        return db.sql(sql).bind("merchant", merchant).map((row, meta) -> ((Number) row.get(0)).longValue()).one().block();
    }
}

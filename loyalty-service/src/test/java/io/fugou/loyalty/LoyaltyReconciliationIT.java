package io.fugou.loyalty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.OrderEventMother;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Thousands of generated orders, with duplicates, partial refunds, cancellations and redemptions mixed
 * in: every member's balances equal the sums of their ledger entries and their lots, and equal what a
 * separate, plain computation here says the orders should have earned, lost and spent.
 */
@LoyaltyIntegrationTest
class LoyaltyReconciliationIT {

    private static final int MEMBERS = 40;
    private static final int ORDERS = 2_000;

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    @Autowired
    private DatabaseClient db;

    private final KafkaTestClient shop = new KafkaTestClient();

    private LoyaltyApi api;

    @BeforeEach
    void client() {
        api = new LoyaltyApi(web, localTokens);
    }

    /** What the test expects of one member, worked out from what it sent. */
    private static final class Expected {
        long available;
        long lifetime;
        final Map<String, Long> unreversed = new LinkedHashMap<>();
    }

    /** One point per yuan, twice that for drinks, at most 5,000 an order, rounded down once per order. */
    private static long earned(List<OrderLine> lines) {
        long weighted = 0;
        for (OrderLine line : lines) {
            long paid = line.getPaidAmount().getAmountMinor();
            weighted += line.getCategory().startsWith("drinks") ? paid * 2 : paid;
        }
        return Math.min(5_000, weighted / 100);
    }

    @Test
    void shouldKeepEveryBalanceEqualToItsEntriesAndToWhatTheOrdersEarned() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String merchant = "merchant-" + UUID.randomUUID().toString().substring(0, 8);
        api.addRules(merchant, null, """
                {"returnWindowDays": 0, "categoryMultipliers": [{"category": "drinks", "percent": 200}],
                 "caps": {"perOrder": 5000}, "refundShortfall": "TAKE_AVAILABLE"}""");
        Map<MemberKey, Expected> expected = new HashMap<>();
        List<MemberKey> members = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            members.add(new MemberKey(merchant, "buyer-" + i));
            expected.put(members.get(i), new Expected());
        }

        // Orders, some sent twice, some then refunded in part (one-line orders: units back) or cancelled.
        List<Map.Entry<MemberKey, OrderEvent>> sent = new ArrayList<>();
        int refunds = 0;
        for (int n = 0; n < ORDERS; n++) {
            MemberKey member = members.get(random.nextInt(MEMBERS));
            Expected e = expected.get(member);
            String orderId = "order-" + n;
            List<OrderLine> lines = new ArrayList<>();
            int lineCount = 1 + random.nextInt(3);
            for (int l = 0; l < lineCount; l++) {
                boolean drinks = random.nextBoolean();
                lines.add(OrderEventMother.line(drinks ? "BEER-" + l : "SNACK-" + l, drinks ? "drinks/beer" : "snacks",
                        1 + random.nextInt(4), 100 + random.nextInt(60_000)));
            }
            OrderEvent paid = at(OrderEventMother.paid(merchant, member.customerId(), orderId, lines));
            List<OrderLine> paidLines = ((OrderPaid) paid.getPayload()).getLines();
            sent.add(Map.entry(member, paid));
            if (random.nextInt(10) == 0) {
                sent.add(Map.entry(member, paid));
            }
            long points = earned(paidLines);
            e.available += points;
            e.lifetime += points;
            e.unreversed.put(orderId, points);
            int fate = random.nextInt(20);
            if (fate == 0) {
                sent.add(Map.entry(member, at(OrderEventMother.cancelled(merchant, member.customerId(), orderId))));
                e.available -= points;
                e.lifetime -= points;
                e.unreversed.put(orderId, 0L);
                refunds++;
            } else if (fate < 4 && lineCount == 1 && paidLines.get(0).getQuantity() > 1) {
                OrderLine line = paidLines.get(0);
                int back = 1 + random.nextInt(line.getQuantity() - 1);
                OrderEvent refund = at(OrderEventMother.refunded(merchant, member.customerId(), orderId,
                        List.of(OrderEventMother.refundedLine(line, back))));
                sent.add(Map.entry(member, refund));
                sent.add(Map.entry(member, refund)); // the shop sends it again
                long taken = points * back / line.getQuantity();
                e.available -= taken;
                e.lifetime -= taken;
                e.unreversed.put(orderId, points - taken);
                refunds++;
            }
        }
        shop.publishAll(Topics.ORDERS, sent);
        sent.clear();
        long orderCount = ORDERS;
        long refundCount = refunds;
        await().atMost(Duration.ofSeconds(120)).until(() -> count("select count(*) from paid_order where merchant_id = :m", merchant) == orderCount
                && count("select count(*) from order_refund where merchant_id = :m", merchant) == refundCount);

        // Half the members spend half of what they have; then one more of their orders is cancelled after the spending.
        List<String> lateCancellations = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i += 2) {
            MemberKey member = members.get(i);
            Expected e = expected.get(member);
            long spend = e.available / 2;
            if (spend > 0) {
                api.redeem(member, spend);
                e.available -= spend;
            }
            String order = e.unreversed.entrySet().stream().filter(o -> o.getValue() > 0).map(Map.Entry::getKey).findFirst().orElse(null);
            if (order != null) {
                long left = e.unreversed.get(order);
                sent.add(Map.entry(member, at(OrderEventMother.cancelled(merchant, member.customerId(), order))));
                e.available -= Math.min(left, e.available); // what was spent stays spent: the merchant takes only what is available
                e.lifetime -= left;
                lateCancellations.add(order);
            }
        }
        shop.publishAll(Topics.ORDERS, sent);
        long allRefunds = refundCount + lateCancellations.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> count("select count(*) from order_refund where merchant_id = :m", merchant) == allRefunds);

        for (MemberKey member : members) {
            Expected e = expected.get(member);
            Map<String, Object> balance = api.points(member);
            assertThat(balance).as("%s (seed %d)", member, seed)
                    .containsEntry("available", (int) e.available).containsEntry("pending", 0).containsEntry("lifetime", (int) e.lifetime);
            Map<String, Object> sums = db.sql("""
                            select coalesce(sum(available_delta), 0) as available, coalesce(sum(pending_delta), 0) as pending,
                                   (select coalesce(sum(remaining), 0) from points_lot l where l.merchant_id = :m and l.customer_id = :c) as lots
                            from points_entry where merchant_id = :m and customer_id = :c""")
                    .bind("m", member.merchantId()).bind("c", member.customerId()).fetch().one().block();
            assertThat(((Number) sums.get("available")).longValue()).as("%s: entries add up (seed %d)", member, seed).isEqualTo(e.available);
            assertThat(((Number) sums.get("pending")).longValue()).isZero();
            assertThat(((Number) sums.get("lots")).longValue()).as("%s: lots add up (seed %d)", member, seed).isEqualTo(e.available);
        }
        assertThat(count("select count(*) from points_entry where merchant_id = :m and kind = 'earned'", merchant))
                .as("one earning per order, whatever was sent twice").isEqualTo(orderCount);
    }

    private OrderEvent at(OrderEvent event) {
        event.setOccurredAt(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        return event;
    }

    private long count(String sql, String merchant) {
        return db.sql(sql).bind("m", merchant).map(row -> ((Number) row.get(0)).longValue()).one().block();
    }

}

package io.fugou.analytics.repurchase;

import static io.fugou.testsupport.OrderEventMother.cancelled;
import static io.fugou.testsupport.OrderEventMother.fullyRefunded;
import static io.fugou.testsupport.OrderEventMother.paid;
import static io.fugou.testsupport.OrderEventMother.refunded;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MemberHistory;
import io.fugou.analytics.state.MerchantFigures;
import io.fugou.events.Topics;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.NextOrderPredicted;
import io.fugou.events.members.MemberErased;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.orders.OrderEvent;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Repurchase figures on hand-computed examples: rolling windows that move with the clock, months, duplicates, refunds, erasure. */
class RepurchaseTopologyTest {

    private static final String MERCHANT = "m1";
    private static final Instant NOW = Instant.parse("2026-11-20T00:00:00Z");
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    private TopologyTestDriver driver;
    private TestInputTopic<String, OrderEvent> orders;
    private TestInputTopic<String, MemberEvent> members;
    private TestOutputTopic<String, LifecycleEvent> lifecycle;

    @BeforeEach
    void start() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        RepurchaseTopology.build(builder, new RepurchaseTopology.AnalyticsSerdes(new PlainAvroSerde<>(OrderEvent.class),
                new PlainAvroSerde<>(MemberEvent.class), new PlainAvroSerde<>(LifecycleEvent.class), new PlainAvroSerde<>(MemberHistory.class),
                new PlainAvroSerde<>(FigureChanges.class), new PlainAvroSerde<>(MerchantFigures.class)), SHANGHAI, Duration.ofMinutes(1));
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "analytics-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("analytics-test").toString());
        driver = new TopologyTestDriver(builder.build(), config, NOW);
        orders = driver.createInputTopic(Topics.ORDERS.name(), Serdes.String().serializer(), new PlainAvroSerde<>(OrderEvent.class).serializer());
        members = driver.createInputTopic(Topics.MEMBERS.name(), Serdes.String().serializer(), new PlainAvroSerde<>(MemberEvent.class).serializer());
        lifecycle = driver.createOutputTopic(Topics.LIFECYCLE.name(), Serdes.String().deserializer(),
                new PlainAvroSerde<>(LifecycleEvent.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void buyersAndRepeatBuyersPerRollingWindowAndMonth() {
        pay("A", "a1", daysAgo(10));
        pay("A", "a2", daysAgo(5));
        pay("B", "b1", daysAgo(3));
        pay("C", "c1", daysAgo(40));
        pay("C", "c2", daysAgo(2));

        // 30 days: A twice, B once, C once (c1 is 40 days old): 3 buyers, 1 repeat buyer.
        assertThat(buckets("30d")).containsExactly(2L, 1L, 0L, 0L, 0L);
        // 90 and 365 days: A and C twice, B once.
        assertThat(buckets("90d")).containsExactly(1L, 2L, 0L, 0L, 0L);
        assertThat(buckets("365d")).containsExactly(1L, 2L, 0L, 0L, 0L);
        // Months in the merchant's zone: November has A twice, B and C once; October has C's first order.
        assertThat(buckets("2026-11")).containsExactly(2L, 1L, 0L, 0L, 0L);
        assertThat(buckets("2026-10")).containsExactly(1L, 0L, 0L, 0L, 0L);
    }

    @Test
    void theWindowsMoveWithTheClock() {
        pay("A", "a1", daysAgo(10));
        pay("A", "a2", daysAgo(5));
        pay("B", "b1", daysAgo(3));
        pay("C", "c1", daysAgo(40));
        pay("C", "c2", daysAgo(2));

        driver.advanceWallClockTime(Duration.ofDays(21));
        // A's orders are now 31 and 26 days old, B's 24, C's 61 and 23: each once in 30 days, A and C twice in 90.
        assertThat(buckets("30d")).containsExactly(3L, 0L, 0L, 0L, 0L);
        assertThat(buckets("90d")).containsExactly(1L, 2L, 0L, 0L, 0L);

        driver.advanceWallClockTime(Duration.ofDays(10));
        // Every order is over 30 days old.
        assertThat(buckets("30d")).containsExactly(0L, 0L, 0L, 0L, 0L);
        assertThat(buckets("90d")).containsExactly(1L, 2L, 0L, 0L, 0L);
        assertThat(buckets("2026-11")).containsExactly(2L, 1L, 0L, 0L, 0L);
    }

    @Test
    void aDuplicateCountsOnceAndAnOrderRefundedInFullOrCancelledStopsCounting() {
        OrderEvent a2 = pay("A", "a2", daysAgo(5));
        pay("A", "a1", daysAgo(10));
        orders.pipeInput(MERCHANT + ":A", a2);
        pay("B", "b1", daysAgo(3));
        pay("C", "c1", daysAgo(2));
        assertThat(buckets("30d")).containsExactly(2L, 1L, 0L, 0L, 0L);

        // A partial refund leaves the order counted.
        orders.pipeInput(MERCHANT + ":C", refunded(MERCHANT, "C", "c1", 1_000));
        assertThat(buckets("30d")).containsExactly(2L, 1L, 0L, 0L, 0L);
        // A full refund (twice: a redelivery) takes A's second order away: A bought once.
        OrderEvent refund = fullyRefunded(a2);
        orders.pipeInput(MERCHANT + ":A", refund);
        orders.pipeInput(MERCHANT + ":A", refund);
        assertThat(buckets("30d")).containsExactly(3L, 0L, 0L, 0L, 0L);
        // A cancellation takes B's only order away: B is no buyer.
        orders.pipeInput(MERCHANT + ":B", cancelled(MERCHANT, "B", "b1"));
        assertThat(buckets("30d")).containsExactly(2L, 0L, 0L, 0L, 0L);
        // A refund that arrives before its order: the order never counts.
        orders.pipeInput(MERCHANT + ":D", fullyRefunded(at(paid(MERCHANT, "D", "d1"), daysAgo(1))));
        pay("D", "d1", daysAgo(1));
        assertThat(buckets("30d")).containsExactly(2L, 0L, 0L, 0L, 0L);
        assertThat(buckets("2026-11")).containsExactly(2L, 0L, 0L, 0L, 0L);
    }

    @Test
    void aLateOrderLandsInTheWindowsAndMonthOfItsEventTime() {
        pay("E", "e1", daysAgo(1));
        pay("E", "e2", daysAgo(50)); // arrives late, 50 days after it was paid
        assertThat(buckets("30d")).containsExactly(1L, 0L, 0L, 0L, 0L);
        assertThat(buckets("90d")).containsExactly(0L, 1L, 0L, 0L, 0L);
        assertThat(buckets("2026-10")).containsExactly(1L, 0L, 0L, 0L, 0L); // 1 October, 08:00 in Shanghai
        assertThat(buckets("2026-11")).containsExactly(1L, 0L, 0L, 0L, 0L);
    }

    @Test
    void anErasedMembersHistoryGoesWhileTheMerchantsFiguresStayAndStillMove() {
        pay("A", "a1", daysAgo(10));
        pay("A", "a2", daysAgo(5));
        members.pipeInput(MERCHANT + ":A", MemberEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(NOW)
                .setMerchantId(MERCHANT).setCustomerId("A").setSequence(1).setPayload(MemberErased.newBuilder().setRequestId("r1").build()).build());

        assertThat(histories().get(MERCHANT + ":A")).isNull();
        assertThat(buckets("30d")).containsExactly(0L, 1L, 0L, 0L, 0L);

        driver.advanceWallClockTime(Duration.ofDays(26)); // a1 is 36 days old, a2 31
        assertThat(buckets("30d")).containsExactly(0L, 0L, 0L, 0L, 0L);
        assertThat(buckets("90d")).containsExactly(0L, 1L, 0L, 0L, 0L);
        assertThat(buckets("2026-11")).containsExactly(0L, 1L, 0L, 0L, 0L);
        try (var left = histories().all()) {
            assertThat(left.hasNext()).as("only the anonymous residue is left").isTrue();
            assertThat(left.next().value.getCustomerId()).isNull();
        }
    }

    @Test
    void theNextOrderIsPredictedFromTheBuyersOwnIntervalsAndEmittedWhenItMoves() {
        pay("F", "f1", daysAgo(45));
        pay("F", "f2", daysAgo(35));
        assertThat(lifecycle.isEmpty()).as("one interval is too few of their own").isTrue();
        pay("F", "f3", daysAgo(15));

        // Intervals 10 and 20 days: the median, 15 days after the last order.
        NextOrderPredicted first = (NextOrderPredicted) lifecycle.readValue().getPayload();
        assertThat(first.getPredictedAt()).isEqualTo(NOW);
        assertThat(first.getLastOrderAt()).isEqualTo(daysAgo(15));
        assertThat(first.getIntervalDays()).isEqualTo(15.0);
        assertThat(first.getFromOwnHistory()).isTrue();

        OrderEvent f4 = pay("F", "f4", daysAgo(1));
        orders.pipeInput(MERCHANT + ":F", f4);
        // Intervals 10, 20 and 14 days: the median is 14, from the last order.
        List<LifecycleEvent> next = lifecycle.readValuesToList();
        assertThat(next).hasSize(1);
        assertThat(((NextOrderPredicted) next.get(0).getPayload()).getPredictedAt()).isEqualTo(daysAgo(1).plus(Duration.ofDays(14)));

        MemberFigures figures = MemberFigures.of(histories().get(MERCHANT + ":F"));
        assertThat(figures.orders()).isEqualTo(4);
        assertThat(figures.firstOrderAt()).isEqualTo(daysAgo(45));
        assertThat(figures.medianIntervalDays()).isEqualTo(14.0);
        assertThat(figures.meanIntervalDays()).isCloseTo(44.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(figures.spendMinor()).containsEntry("CNY", 4 * 25_800L);
        assertThat(figures.categories()).containsEntry("drinks/beer", 4);
    }

    private OrderEvent pay(String customer, String orderId, Instant paidAt) {
        OrderEvent order = at(paid(MERCHANT, customer, orderId), paidAt);
        orders.pipeInput(MERCHANT + ":" + customer, order);
        return order;
    }

    private static OrderEvent at(OrderEvent event, Instant occurredAt) {
        return OrderEvent.newBuilder(event).setOccurredAt(occurredAt).build();
    }

    private static Instant daysAgo(int days) {
        return NOW.minus(Duration.ofDays(days));
    }

    private KeyValueStore<String, MemberHistory> histories() {
        return driver.getKeyValueStore(RepurchaseTopology.MEMBER_ORDERS_STORE);
    }

    private List<Long> buckets(String figure) {
        KeyValueStore<String, MerchantFigures> figures = driver.getKeyValueStore(RepurchaseTopology.MERCHANT_FIGURES_STORE);
        MerchantFigures merchant = figures.get(MERCHANT);
        return merchant == null ? List.of() : merchant.getBuckets().getOrDefault(figure, List.of(0L, 0L, 0L, 0L, 0L));
    }
}

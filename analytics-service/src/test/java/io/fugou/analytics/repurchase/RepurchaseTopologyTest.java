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
import io.fugou.events.insights.CategoryBoughtNext;
import io.fugou.events.insights.CategoryFollowers;
import io.fugou.events.insights.MerchantInsights;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.lifecycle.NextOrderPredicted;
import io.fugou.events.members.MemberErased;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.campaigns.AssignmentGroup;
import io.fugou.events.campaigns.CampaignAssigned;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEvent;
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
    private TestInputTopic<String, PointsEvent> points;
    private TestInputTopic<String, CampaignEvent> campaigns;
    private TestOutputTopic<String, LifecycleEvent> lifecycle;
    private TestOutputTopic<String, MerchantInsights> insights;

    @BeforeEach
    void start() throws Exception {
        start(Duration.ofMinutes(1));
    }

    /** The topology, with buyers whose figures move with the clock looked for every {@code checkEvery}. */
    private void start(Duration checkEvery) throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        RepurchaseTopology.build(builder, new RepurchaseTopology.AnalyticsSerdes(new PlainAvroSerde<>(OrderEvent.class),
                new PlainAvroSerde<>(MemberEvent.class), new PlainAvroSerde<>(PointsEvent.class), new PlainAvroSerde<>(CampaignEvent.class),
                new PlainAvroSerde<>(LifecycleEvent.class), new PlainAvroSerde<>(MemberHistory.class), new PlainAvroSerde<>(FigureChanges.class),
                new PlainAvroSerde<>(io.fugou.analytics.state.MerchantNorms.class), new PlainAvroSerde<>(MerchantInsights.class)),
                new RepurchaseTopology.Settings(SHANGHAI, checkEvery, Duration.ofDays(30), Duration.ofDays(30)));
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "analytics-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("analytics-test").toString());
        driver = new TopologyTestDriver(builder.build(), config, NOW);
        orders = driver.createInputTopic(Topics.ORDERS.name(), Serdes.String().serializer(), new PlainAvroSerde<>(OrderEvent.class).serializer());
        members = driver.createInputTopic(Topics.MEMBERS.name(), Serdes.String().serializer(), new PlainAvroSerde<>(MemberEvent.class).serializer());
        points = driver.createInputTopic(Topics.POINTS.name(), Serdes.String().serializer(), new PlainAvroSerde<>(PointsEvent.class).serializer());
        campaigns = driver.createInputTopic(Topics.CAMPAIGNS.name(), Serdes.String().serializer(), new PlainAvroSerde<>(CampaignEvent.class).serializer());
        lifecycle = driver.createOutputTopic(Topics.LIFECYCLE.name(), Serdes.String().deserializer(),
                new PlainAvroSerde<>(LifecycleEvent.class).deserializer());
        insights = driver.createOutputTopic(Topics.MERCHANT_INSIGHTS.name(), Serdes.String().deserializer(),
                new PlainAvroSerde<>(MerchantInsights.class).deserializer());
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
    void anEventThatMovesNoWindowStillMakesTheBuyersDueCheck() throws Exception {
        driver.close();
        start(Duration.ofDays(7)); // the checks' punctuator does not come round in this test
        pay("A", "a1", daysAgo(28));
        assertThat(buckets("30d")).containsExactly(1L, 0L, 0L, 0L, 0L);

        driver.advanceWallClockTime(Duration.ofDays(3)); // a1 is 31 days old: A's check is due, not yet made
        earn("A", 10, 10); // points move no window of their own...
        // ...but the due check is made with them, not put off to A's next look.
        assertThat(buckets("30d")).containsExactly(0L, 0L, 0L, 0L, 0L);
        assertThat(buckets("90d")).containsExactly(1L, 0L, 0L, 0L, 0L);
    }

    @Test
    void aLateOrderBeforeTheWindowMakesTheOrderAfterItARepeatOrder() throws Exception {
        driver.close();
        start(Duration.ofDays(7)); // no check comes round: only the orders report the window
        pay("A", "a1", daysAgo(10)); // the 30-day window reported now, with a1 as A's first order
        driver.advanceWallClockTime(Duration.ofDays(3));
        // 32 days before now: out of the window, but first: a1 is a repeat order now.
        pay("A", "a0", daysAgo(29));
        pay("A", "a2", daysAgo(-2));
        // In the window now: a1 and a2, both repeat orders (a0 came first).
        assertThat(metrics("30d")).containsEntry("orders.repeat", 2L).doesNotContainKey("orders.first").containsEntry("buyers", 1L);
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
        NextOrderPredicted fromDefault = only(predictions());
        assertThat(fromDefault.getFromOwnHistory()).as("one order: the default rhythm while the merchant has no typical one").isFalse();
        assertThat(fromDefault.getPredictedAt()).isEqualTo(daysAgo(15));
        pay("F", "f2", daysAgo(35));
        assertThat(only(predictions()).getFromOwnHistory()).as("one interval is too few of their own").isFalse();
        pay("F", "f3", daysAgo(15));

        // Intervals 10 and 20 days: the median, 15 days after the last order.
        NextOrderPredicted own = only(predictions());
        assertThat(own.getPredictedAt()).isEqualTo(NOW);
        assertThat(own.getLastOrderAt()).isEqualTo(daysAgo(15));
        assertThat(own.getIntervalDays()).isEqualTo(15.0);
        assertThat(own.getFromOwnHistory()).isTrue();

        OrderEvent f4 = pay("F", "f4", daysAgo(1));
        orders.pipeInput(MERCHANT + ":F", f4);
        // Intervals 10, 20 and 14 days: the median is 14, from the last order; the duplicate moves nothing.
        assertThat(only(predictions()).getPredictedAt()).isEqualTo(daysAgo(1).plus(Duration.ofDays(14)));

        MemberFigures figures = MemberFigures.of(histories().get(MERCHANT + ":F"));
        assertThat(figures.orders()).isEqualTo(4);
        assertThat(figures.firstOrderAt()).isEqualTo(daysAgo(45));
        assertThat(figures.medianIntervalDays()).isEqualTo(14.0);
        assertThat(figures.meanIntervalDays()).isCloseTo(44.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(figures.spendMinor()).containsEntry("CNY", 4 * 25_800L);
        assertThat(figures.categories()).containsEntry("drinks/beer", 4);
    }

    @Test
    void aBuyerWithFewOrdersIsJudgedByTheMerchantsTypicalInterval() {
        // 20 buyers who came back after 10 days: the merchant's typical interval is 10 days (the middle of the tenth day).
        for (int i = 0; i < 20; i++) {
            pay("R" + i, "r" + i + "-1", daysAgo(30));
            pay("R" + i, "r" + i + "-2", daysAgo(20));
        }
        driver.advanceWallClockTime(Duration.ofSeconds(5)); // the merchant's norms are worked out every few seconds
        lifecycle.readValuesToList();
        pay("H", "h1", daysAgo(2));
        NextOrderPredicted predicted = only(predictions());
        assertThat(predicted.getFromOwnHistory()).isFalse();
        assertThat(predicted.getIntervalDays()).isEqualTo(10.5);
        assertThat(predicted.getPredictedAt()).isEqualTo(daysAgo(2).plus(Duration.ofHours(252)));
    }

    @Test
    void theLifecycleStageFollowsTheBuyersRhythmWithTheClock() {
        pay("G", "g1", daysAgo(1));
        assertThat(stages()).containsExactly("null>NEW");

        driver.advanceWallClockTime(Duration.ofDays(45)); // 46 days since: over 1.5 default intervals of 30 days
        List<LifecycleEvent> atRisk = lifecycle.readValuesToList().stream()
                .filter(event -> event.getPayload() instanceof MemberLifecycleChanged).toList();
        assertThat(atRisk).hasSize(1);
        assertThat(((MemberLifecycleChanged) atRisk.get(0).getPayload()).getToStage()).isEqualTo(io.fugou.events.lifecycle.LifecycleStage.AT_RISK);
        // Published at the event time it happened (45 days after the order, when it grew too old), not when it was noticed.
        assertThat(atRisk.get(0).getOccurredAt()).isEqualTo(daysAgo(1).plus(Duration.ofDays(45)).plusMillis(1));
        assertThat(metrics(Contributions.NOW)).containsEntry("stage.AT_RISK", 1L).doesNotContainKey("stage.NEW");

        driver.advanceWallClockTime(Duration.ofDays(45)); // 91 days: over 3
        assertThat(stages()).containsExactly("AT_RISK>LAPSED");

        orders.pipeInput(MERCHANT + ":G", at(paid(MERCHANT, "G", "g2"), NOW.plus(Duration.ofDays(90))));
        assertThat(stages()).containsExactly("LAPSED>ACTIVE");
        assertThat(metrics(Contributions.NOW)).containsEntry("stage.ACTIVE", 1L).doesNotContainKeys("stage.NEW", "stage.AT_RISK", "stage.LAPSED");
    }

    @Test
    void membersAgainstGuestsOrderValuesIntervalsCategoriesAndHours() {
        members.pipeInput(MERCHANT + ":M", MemberEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(daysAgo(60))
                .setMerchantId(MERCHANT).setCustomerId("M").setSequence(1)
                .setPayload(io.fugou.events.members.MemberEnrolled.newBuilder().setChannel(io.fugou.events.common.EnrollmentChannel.SHOP_HOME)
                        .setTier("regular").build()).build());
        pay("M", "m1", daysAgo(20)); // 20 days ago at 00:00 UTC is 08:00 in Shanghai
        orders.pipeInput(MERCHANT + ":M", at(paid(MERCHANT, "M", "m2", List.of(io.fugou.testsupport.OrderEventMother.line("CHIPS-1", "snacks", 1, 1_000))),
                daysAgo(8).plus(Duration.ofHours(12)))); // 20:00 in Shanghai
        pay("N", "n1", daysAgo(3));

        RepurchaseFigure figure = RepurchaseFigure.of("30d", merchantFigures());
        assertThat(figure.members()).isEqualTo(new RepurchaseFigure.Group(1, 1, 1.0));
        assertThat(figure.guests()).isEqualTo(new RepurchaseFigure.Group(1, 0, 0.0));
        // First orders: m1 and n1 at 258.00; the repeat order: m2 at 10.00.
        assertThat(figure.firstOrders()).isEqualTo(new RepurchaseFigure.OrderValue(2, java.util.Map.of("CNY", 25_800L)));
        assertThat(figure.repeatOrders()).isEqualTo(new RepurchaseFigure.OrderValue(1, java.util.Map.of("CNY", 1_000L)));
        assertThat(figure.daysBetweenPurchases()).isEqualTo(new RepurchaseFigure.Intervals(1, 12.5, 12L));
        assertThat(figure.repeatByCategory()).containsExactly(java.util.Map.entry("snacks", 1L));
        assertThat(figure.repeatByHour()).containsEntry("20", 1L).containsEntry("08", 0L);

        // The cohort of October (m1, n1 is November's) came back in month 1 (m2 in November).
        assertThat(metrics(Contributions.COHORTS)).containsOnly(java.util.Map.entry("2026-10|0", 1L), java.util.Map.entry("2026-10|1", 1L),
                java.util.Map.entry("2026-11|0", 1L));
        assertThat(metrics(Contributions.NEXT_CATEGORY)).containsOnly(java.util.Map.entry("drinks/beer" + Contributions.PAIR + "snacks", 1L),
                java.util.Map.entry("drinks/beer" + Contributions.PAIR + Contributions.NEXT_ORDERS, 1L),
                java.util.Map.entry("drinks/beer" + Contributions.PAIR + Contributions.NEXT_BUYERS, 1L));
    }

    @Test
    void aCampaignIsMeasuredAgainstItsHoldout() {
        // Four buyers treated with variant v1, three of whom ordered within the 30 days after; four held out, one of whom did.
        for (int i = 0; i < 8; i++) {
            boolean treated = i < 4;
            campaigns.pipeInput(MERCHANT + ":K" + i, CampaignEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(daysAgo(20))
                    .setMerchantId(MERCHANT).setCustomerId("K" + i).setSequence(1).setPayload(CampaignAssigned.newBuilder().setCampaignId("c1")
                            .setGroup(treated ? AssignmentGroup.TREATMENT : AssignmentGroup.HOLDOUT).setVariant(treated ? "v1" : null).build()).build());
        }
        pay("K0", "k0", daysAgo(10));
        pay("K1", "k1", daysAgo(5));
        pay("K2", "k2", daysAgo(1));
        pay("K3", "k3", daysAgo(25)); // before the assignment: no conversion
        pay("K4", "k4", daysAgo(2));
        campaigns.pipeInput(MERCHANT + ":K0", CampaignEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(daysAgo(20))
                .setMerchantId(MERCHANT).setCustomerId("K0").setSequence(2).setPayload(CampaignAssigned.newBuilder().setCampaignId("c1")
                        .setGroup(AssignmentGroup.TREATMENT).setVariant("v1").build()).build()); // assigned again: counted once

        CampaignResult result = CampaignResult.of("c1", merchantFigures());
        CampaignResult.Arm treated = result.arms().stream().filter(arm -> "v1".equals(arm.variant())).findFirst().orElseThrow();
        CampaignResult.Arm holdout = result.arms().stream().filter(arm -> arm.group().equals("HOLDOUT")).findFirst().orElseThrow();
        assertThat(treated.assigned()).isEqualTo(4);
        assertThat(treated.converted()).isEqualTo(3);
        assertThat(holdout.converted()).isEqualTo(1);
        // 0.75 - 0.25, error sqrt(0.75 * 0.25 / 4 + 0.25 * 0.75 / 4) = 0.30619: [-0.10011, 1.10011], not significant.
        assertThat(treated.uplift().difference()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(treated.uplift().low()).isCloseTo(-0.10011, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(treated.uplift().high()).isCloseTo(1.10011, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(treated.uplift().significant()).isFalse();
        assertThat(holdout.uplift()).isNull();
    }

    @Test
    void aLargerDifferenceIsSignificant() {
        // 80 of 100 against 50 of 100: 0.3, error sqrt(0.8 * 0.2 / 100 + 0.5 * 0.5 / 100) = 0.064031, [0.17450, 0.42550].
        CampaignResult.Uplift uplift = CampaignResult.Uplift.of(80, 100, 50, 100);
        assertThat(uplift.low()).isCloseTo(0.17450, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(uplift.high()).isCloseTo(0.42550, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(uplift.significant()).isTrue();
    }

    @Test
    void membersByTierAndChannelEnrollmentsAndPointsAndWhatErasureTakes() {
        enroll("P", "gold", daysAgo(3));
        enroll("Q", "regular", daysAgo(3));
        enroll("Q", "regular", daysAgo(3)); // a redelivery
        members.pipeInput(MERCHANT + ":Q", MemberEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(daysAgo(1))
                .setMerchantId(MERCHANT).setCustomerId("Q").setSequence(2).setPayload(io.fugou.events.members.MemberTierChanged.newBuilder()
                        .setFromTier("regular").setToTier("gold").setDirection(io.fugou.events.members.TierChangeDirection.UPGRADE).setGrowthScore(100)
                        .setReason(io.fugou.events.members.TierChangeReason.values()[0]).build()).build());
        earn("P", 100, 100);
        earn("Q", 50, 50);
        points.pipeInput(MERCHANT + ":P", PointsEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(NOW).setMerchantId(MERCHANT)
                .setCustomerId("P").setSequence(2).setPayload(io.fugou.events.points.PointsRedeemed.newBuilder().setEntryId("e2").setRedemptionId("r1")
                        .setPoints(30).setReward(io.fugou.events.points.RewardKind.values()[0]).setBalanceAfter(70).build()).build());

        MembershipFigures figures = MembershipFigures.of(merchantFigures());
        assertThat(figures.members()).isEqualTo(2);
        assertThat(figures.byTier()).containsExactly(java.util.Map.entry("gold", 2L));
        assertThat(figures.byChannel()).containsExactly(java.util.Map.entry("SHOP_HOME", 2L));
        assertThat(figures.points()).containsEntry("earned", 150L).containsEntry("redeemed", 30L).containsEntry("balance", 120L);
        assertThat(MembershipFigures.enrollments(merchantFigures(), java.time.LocalDate.of(2026, 11, 16), java.time.LocalDate.of(2026, 11, 17)))
                .containsExactly(java.util.Map.entry("2026-11-16", 0L), java.util.Map.entry("2026-11-17", 2L));

        members.pipeInput(MERCHANT + ":P", MemberEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(NOW)
                .setMerchantId(MERCHANT).setCustomerId("P").setSequence(3).setPayload(MemberErased.newBuilder().setRequestId("r1").build()).build());
        MembershipFigures after = MembershipFigures.of(merchantFigures());
        assertThat(after.members()).as("an erased member is a member no more").isEqualTo(1);
        assertThat(after.byTier()).containsExactly(java.util.Map.entry("gold", 1L));
        assertThat(after.points()).as("the totals stay; the erased member's balance leaves the liability").containsEntry("earned", 150L)
                .containsEntry("balance", 50L);
        assertThat(MembershipFigures.enrollments(merchantFigures(), java.time.LocalDate.of(2026, 11, 17), java.time.LocalDate.of(2026, 11, 17)))
                .containsExactly(java.util.Map.entry("2026-11-17", 2L));
    }

    /**
     * Each event moves only the figures it can (the order, the one after it, their months and pairs), so a buyer's order costs
     * the same however long their history: after a random mix of late, duplicate, refunded and cancelled orders, enrollments,
     * points and campaign events, every figure is what each buyer's whole history adds up to.
     */
    @Test
    void theFiguresMovedEventByEventAreThoseOfEachBuyersWholeHistory() {
        java.util.Random random = new java.util.Random(11);
        List<String> categories = List.of("drinks/beer", "drinks/wine", "snacks", "fruit", "dairy");
        java.util.Map<String, List<OrderEvent>> paidOrders = new java.util.HashMap<>();
        Instant clock = NOW;
        for (int step = 0; step < 600; step++) {
            if (step % 25 == 24) { // orders leave the rolling windows as the clock moves on between events
                Duration by = Duration.ofHours(random.nextInt(96));
                driver.advanceWallClockTime(by);
                clock = clock.plus(by);
            }
            String customer = "R" + random.nextInt(8);
            List<OrderEvent> paid = paidOrders.computeIfAbsent(customer, c -> new java.util.ArrayList<>());
            int what = random.nextInt(20);
            if (what < 12 || paid.isEmpty()) {
                List<io.fugou.events.orders.OrderLine> lines = new java.util.ArrayList<>();
                for (int line = 0, count = 1 + random.nextInt(3); line < count; line++) {
                    lines.add(io.fugou.testsupport.OrderEventMother.line("L" + line, "SKU-" + line, categories.get(random.nextInt(categories.size())),
                            1, 1_000 + random.nextInt(20_000)));
                }
                // Paid any time in the last 400 days, in any order: late orders land in the months and pairs they belong to.
                OrderEvent order = at(paid(MERCHANT, customer, customer + "-" + step, lines), clock.minus(Duration.ofMinutes(random.nextInt(400 * 24 * 60))));
                orders.pipeInput(MERCHANT + ":" + customer, order);
                paid.add(order);
                continue;
            }
            OrderEvent earlier = paid.get(random.nextInt(paid.size()));
            String orderId = ((io.fugou.events.orders.OrderPaid) earlier.getPayload()).getOrderId();
            switch (what) {
                case 12, 13 -> orders.pipeInput(MERCHANT + ":" + customer, earlier); // a duplicate
                case 14, 15 -> orders.pipeInput(MERCHANT + ":" + customer, refunded(MERCHANT, customer, orderId, 500));
                case 16 -> orders.pipeInput(MERCHANT + ":" + customer, fullyRefunded(earlier));
                case 17 -> orders.pipeInput(MERCHANT + ":" + customer, cancelled(MERCHANT, customer, orderId));
                case 18 -> { // half the buyers stay guests
                    if (customer.compareTo("R4") < 0) {
                        enroll(customer, random.nextBoolean() ? "silver" : "gold", daysAgo(random.nextInt(300)));
                    }
                }
                default -> {
                    earn(customer, 10, 10);
                    campaigns.pipeInput(MERCHANT + ":" + customer, CampaignEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                            .setOccurredAt(daysAgo(random.nextInt(60))).setMerchantId(MERCHANT).setCustomerId(customer).setSequence(1)
                            .setPayload(CampaignAssigned.newBuilder().setCampaignId("c" + random.nextInt(2)).setGroup(AssignmentGroup.HOLDOUT).build())
                            .build());
                }
            }
        }

        driver.advanceWallClockTime(Duration.ofMinutes(1)); // the last look at what the clock moved
        long now = clock.plus(Duration.ofMinutes(1)).toEpochMilli();
        java.util.Map<String, java.util.Map<String, Long>> whole = new java.util.HashMap<>();
        try (var buyers = histories().all()) {
            buyers.forEachRemaining(buyer -> {
                List<io.fugou.analytics.state.OrderFact> counted = Contributions.counted(buyer.value.getOrders());
                boolean member = buyer.value.getMemberSince() != null;
                java.util.Map<String, java.util.Map<String, Long>> figures = new java.util.HashMap<>(Contributions.months(counted, member, SHANGHAI, null));
                figures.put(Contributions.COHORTS, Contributions.cohorts(counted, SHANGHAI, null));
                figures.put(Contributions.NEXT_CATEGORY, Contributions.nextCategories(counted, null));
                figures.put(Rfm.BASIS, Rfm.basis(counted, SHANGHAI));
                figures.put(Contributions.MEMBERS, Contributions.membership(buyer.value));
                figures.put(Contributions.POINTS, buyer.value.getPoints());
                figures.putAll(Contributions.campaigns(buyer.value, counted, Duration.ofDays(30).toMillis()));
                for (Frequency.Window window : Frequency.Window.values()) {
                    figures.put(window.figure(), Contributions.period(counted, now - window.millis() + 1, Long.MAX_VALUE, member, SHANGHAI));
                }
                figures.forEach((figure, metrics) -> metrics.forEach((metric, amount) ->
                        whole.computeIfAbsent(figure, f -> new java.util.HashMap<>()).merge(metric, amount, Long::sum)));
            });
        }
        whole.values().forEach(metrics -> metrics.values().removeIf(amount -> amount == 0));
        whole.values().removeIf(java.util.Map::isEmpty);
        java.util.Map<String, java.util.Map<String, Long>> moved = new java.util.HashMap<>(merchantFigures().getFigures());
        moved.keySet().removeIf(figure -> !whole.containsKey(figure) && !figure.matches("\\d{4}-\\d{2}")
                && !List.of(Contributions.COHORTS, Contributions.NEXT_CATEGORY, Rfm.BASIS, Contributions.MEMBERS, Contributions.POINTS).contains(figure));
        assertThat(whole).containsKeys("30d", "365d", "2026-01", Contributions.COHORTS, Contributions.NEXT_CATEGORY, "campaign:c1");
        assertThat(whole.get("365d")).containsKeys("buyers.member", "buyers.guest");
        java.util.Map<String, java.util.Map<String, Long>> off = new java.util.TreeMap<>(); // per figure, how far from the whole histories
        java.util.Set<String> figures = new java.util.HashSet<>(whole.keySet());
        figures.addAll(moved.keySet());
        figures.forEach(figure -> {
            java.util.Map<String, Long> by = Contributions.difference(whole.getOrDefault(figure, java.util.Map.of()), moved.getOrDefault(figure, java.util.Map.of()));
            if (!by.isEmpty()) {
                off.put(figure, by);
            }
        });
        assertThat(off).isEmpty();
    }

    private void enroll(String customer, String tier, Instant at) {
        members.pipeInput(MERCHANT + ":" + customer, MemberEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at)
                .setMerchantId(MERCHANT).setCustomerId(customer).setSequence(1)
                .setPayload(io.fugou.events.members.MemberEnrolled.newBuilder().setChannel(io.fugou.events.common.EnrollmentChannel.SHOP_HOME)
                        .setTier(tier).build()).build());
    }

    private void earn(String customer, long earned, long balanceAfter) {
        points.pipeInput(MERCHANT + ":" + customer, PointsEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(NOW)
                .setMerchantId(MERCHANT).setCustomerId(customer).setSequence(1).setPayload(io.fugou.events.points.PointsEarned.newBuilder()
                        .setEntryId(UUID.randomUUID().toString()).setPoints(earned).setSource(io.fugou.events.points.EarningSource.ORDER)
                        .setBalanceAfter(balanceAfter).setPendingAfter(0).build()).build());
    }

    @Test
    void buyersAreScoredByTheQuintilesOfTheMerchantsBuyersAndNamedBySegment() {
        // Buyer Sn has n orders of 258.00, the last one longer ago the fewer they have: each is the n-th quintile of all three.
        int[] lastDaysAgo = {0, 100, 50, 20, 5, 1};
        for (int n = 1; n <= 5; n++) {
            for (int order = 1; order <= n; order++) {
                pay("S" + n, "s" + n + "-" + order, daysAgo(lastDaysAgo[n] + (n - order) * 2));
            }
        }
        driver.advanceWallClockTime(Duration.ofSeconds(5)); // the merchant's cuts are worked out every few seconds
        driver.advanceWallClockTime(Duration.ofDays(1).plusMinutes(1)); // the daily look scores everyone against the final cuts

        // S1: R1 F1 M1, lost; S2: R2 and 2, hibernating; S3: R3 and 3, loyal; S4 and S5: R4-5 and 4-5, champions.
        assertThat(Rfm.Segments.of(merchantFigures()).segments()).containsEntry("lost", 1L).containsEntry("hibernating", 1L)
                .containsEntry("loyal", 1L).containsEntry("champions", 2L).containsEntry("at_risk", 0L);
        List<io.fugou.events.lifecycle.RfmSegmentChanged> changes = lifecycle.readRecordsToList().stream()
                .filter(record -> record.key().equals(MERCHANT + ":S5") && record.value().getPayload() instanceof io.fugou.events.lifecycle.RfmSegmentChanged)
                .map(record -> (io.fugou.events.lifecycle.RfmSegmentChanged) record.value().getPayload()).toList();
        // Scored as its orders came (against the cuts of the buyers so far), then against the final cuts: each event a change.
        assertThat(changes).isNotEmpty();
        assertThat(changes.get(changes.size() - 1).getSegment()).isEqualTo("champions");
        for (int i = 1; i < changes.size(); i++) {
            assertThat(changes.get(i).getPreviousSegment()).isEqualTo(changes.get(i - 1).getSegment()).isNotEqualTo(changes.get(i).getSegment());
        }
    }

    @Test
    void theRfmGridNamesEverySegment() {
        assertThat(Rfm.segment(1, 5)).isEqualTo("cant_lose");
        assertThat(Rfm.segment(2, 4)).isEqualTo("at_risk");
        assertThat(Rfm.segment(1, 2)).isEqualTo("lost");
        assertThat(Rfm.segment(2, 1)).isEqualTo("hibernating");
        assertThat(Rfm.segment(5, 5)).isEqualTo("champions");
        assertThat(Rfm.segment(3, 4)).isEqualTo("loyal");
        assertThat(Rfm.segment(4, 2)).isEqualTo("potential_loyalists");
        assertThat(Rfm.segment(5, 1)).isEqualTo("new_customers");
        assertThat(Rfm.segment(4, 1)).isEqualTo("promising");
        assertThat(Rfm.segment(3, 2)).isEqualTo("need_attention");
        assertThat(Rfm.quintile(7, List.of(3L, 5L, 7L, 9L))).as("a value at a cut takes the lower score").isEqualTo(3);
    }

    @Test
    void anEvenCountOfIntervalsTakesTheMeanOfTheTwoMiddleOnes() {
        pay("E", "e1", daysAgo(30));
        pay("E", "e2", daysAgo(20)); // 10 days
        pay("F", "f1", daysAgo(25));
        pay("F", "f2", daysAgo(5)); // 20 days
        assertThat(RepurchaseFigure.of("30d", merchantFigures()).daysBetweenPurchases()).isEqualTo(new RepurchaseFigure.Intervals(2, 15.0, 15L));
    }

    @Test
    void aCategoryPathWithItsOwnSeparatorsStaysWhole() {
        orders.pipeInput(MERCHANT + ":P", at(paid(MERCHANT, "P", "p1", List.of(io.fugou.testsupport.OrderEventMother.line("K-1", "Home>Kitchen", 1, 1_000))),
                daysAgo(3)));
        orders.pipeInput(MERCHANT + ":P", at(paid(MERCHANT, "P", "p2", List.of(io.fugou.testsupport.OrderEventMother.line("S-1", "Food>Snacks", 1, 1_000))),
                daysAgo(1)));
        List<NextCategory> next = NextCategory.of(merchantFigures(), 5);
        assertThat(next).hasSize(1);
        assertThat(next.get(0).category()).isEqualTo("Home>Kitchen");
        assertThat(next.get(0).next()).containsExactly(new NextCategory.Next("Food>Snacks", 1, 1.0));
    }

    @Test
    void aStageMoveIsNeverPublishedEarlierThanTheOneBefore() {
        pay("G", "g1", daysAgo(40));
        OrderEvent g2 = pay("G", "g2", daysAgo(1)); // ACTIVE since g2
        lifecycle.readValuesToList();
        orders.pipeInput(MERCHANT + ":G", cancelled(MERCHANT, "G", "g2")); // back to one order: NEW again, as of g1, 40 days ago
        List<LifecycleEvent> moves = lifecycle.readValuesToList().stream().filter(event -> event.getPayload() instanceof MemberLifecycleChanged).toList();
        assertThat(moves).hasSize(1);
        assertThat(((MemberLifecycleChanged) moves.get(0).getPayload()).getToStage()).isEqualTo(io.fugou.events.lifecycle.LifecycleStage.NEW);
        assertThat(moves.get(0).getOccurredAt()).as("after the ACTIVE move at g2, so campaigns take it").isAfter(g2.getOccurredAt());
    }

    @Test
    void theCategoriesBoughtNextArePublishedForCampaignsOnceEnoughNextOrdersShowThemAndAgainWhenTheirOrderChanges() {
        // 19 buyers of beer came back: 14 for snacks, 5 for beer again. One short of the 20 next orders a category needs.
        for (int i = 0; i < 19; i++) {
            buyTwice("B" + i, "drinks/beer", i < 14 ? List.of("snacks") : List.of("drinks/beer"));
        }
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(insights.readValuesToList()).as("19 next orders are too few").isEmpty();

        buyTwice("B19", "drinks/beer", List.of("snacks", "drinks/wine"));
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        MerchantInsights first = only(insights.readValuesToList());
        assertThat(first.getMerchantId()).isEqualTo(MERCHANT);
        // After beer: 20 next orders of 20 buyers, 15 with snacks (0.75), 5 with beer (0.25), 1 with wine (0.05): shares of next
        // orders, so one with two categories counts for both. Snacks and wine were never followed by an order.
        assertThat(first.getNextCategories()).containsExactly(CategoryFollowers.newBuilder().setCategory("drinks/beer").setNextOrders(20).setBuyers(20)
                .setNext(List.of(new CategoryBoughtNext("snacks", 15L, 0.75), new CategoryBoughtNext("drinks/beer", 5L, 0.25),
                        new CategoryBoughtNext("drinks/wine", 1L, 0.05))).build());

        buyTwice("B20", "drinks/beer", List.of("snacks"));
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(insights.readValuesToList()).as("counts moved, the order did not").isEmpty();

        for (int i = 21; i < 40; i++) {
            buyTwice("B" + i, "drinks/beer", List.of("drinks/wine"));
        }
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        MerchantInsights second = only(insights.readValuesToList());
        assertThat(second.getNextCategories()).singleElement().satisfies(beer -> {
            assertThat(beer.getNextOrders()).isEqualTo(40);
            assertThat(beer.getNext()).extracting(CategoryBoughtNext::getCategory).containsExactly("drinks/wine", "snacks", "drinks/beer");
        });
    }

    @Test
    void oneBuyersHabitIsNotPublishedAsTheShopsHoweverOftenTheyBuy() {
        for (int i = 0; i < 25; i++) { // one buyer, beer after beer: 24 next orders
            orders.pipeInput(MERCHANT + ":LOYAL", at(paid(MERCHANT, "LOYAL", "l" + i,
                    List.of(io.fugou.testsupport.OrderEventMother.line("SKU-1", "drinks/beer", 1, 1_000))), daysAgo(300 - i * 10)));
        }
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(NextCategory.of(merchantFigures(), 5)).singleElement().satisfies(beer -> {
            assertThat(beer.after()).isEqualTo(24);
            assertThat(beer.buyers()).isEqualTo(1);
        });
        assertThat(insights.readValuesToList()).as("24 next orders of one buyer").isEmpty();
    }

    /** A buyer's order with a line in {@code first}, and ten days later one with a line in each of {@code then}. */
    private void buyTwice(String customer, String first, List<String> then) {
        orders.pipeInput(MERCHANT + ":" + customer, at(paid(MERCHANT, customer, customer + "-1",
                List.of(io.fugou.testsupport.OrderEventMother.line("SKU-1", first, 1, 1_000))), daysAgo(20)));
        orders.pipeInput(MERCHANT + ":" + customer, at(paid(MERCHANT, customer, customer + "-2",
                then.stream().map(category -> io.fugou.testsupport.OrderEventMother.line("SKU-" + category, category, 1, 1_000)).toList()),
                daysAgo(10)));
    }

    private List<NextOrderPredicted> predictions() {
        return lifecycle.readValuesToList().stream().map(LifecycleEvent::getPayload).filter(NextOrderPredicted.class::isInstance)
                .map(NextOrderPredicted.class::cast).toList();
    }

    private List<String> stages() {
        return lifecycle.readValuesToList().stream().map(LifecycleEvent::getPayload).filter(MemberLifecycleChanged.class::isInstance)
                .map(MemberLifecycleChanged.class::cast).map(change -> change.getFromStage() + ">" + change.getToStage()).toList();
    }

    private static <T> T only(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    private java.util.Map<String, Long> metrics(String figure) {
        return merchantFigures().getFigures().getOrDefault(figure, java.util.Map.of());
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

    /** Buyers with 1, 2, 3, 4-5 and 6+ counted orders in the figure's period. */
    private List<Long> buckets(String figure) {
        return RepurchaseFigure.of(figure, merchantFigures()).frequency().values().stream().toList();
    }

    private MerchantFigures merchantFigures() {
        KeyValueStore<String, Long> figures = driver.getKeyValueStore(RepurchaseTopology.MERCHANT_FIGURES_STORE);
        return MerchantFiguresProcessor.read(figures, MERCHANT);
    }
}

package io.fugou.shop.world;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.customers.CustomerRegistered;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.shop.catalogue.Shop;
import io.fugou.shop.catalogue.Shops;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShopWorldTest {

    private static final Instant OPENED = Instant.parse("2025-09-01T00:00:00Z");
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Test
    void theSameSeedTellsTheSameStoryAndAnotherSeedAnotherOne() {
        List<ShopEvent> first = run(7, 1, 60);
        List<ShopEvent> again = run(7, 1, 60);
        List<ShopEvent> other = run(8, 1, 60);

        assertThat(first).hasSizeGreaterThan(1_000);
        assertThat(again.stream().map(ShopWorldTest::fingerprint).toList()).isEqualTo(first.stream().map(ShopWorldTest::fingerprint).toList());
        assertThat(shared(ids(other), ids(first))).isEmpty();
    }

    @Test
    void aResumedRunNeverReusesTheIdsOfTheRunBefore() {
        Set<String> firstRun = ids(run(7, 1, 30));
        Set<String> secondRun = ids(run(7, 2, 30));

        assertThat(shared(secondRun, firstRun)).isEmpty();
    }

    @Test
    void aResumedRunSendsNoCancelOrRefundOfAnOrderTheRunBeforeSent() {
        Instant stopped = OPENED.plus(Duration.ofDays(40));
        ShopWorld resumed = new ShopWorld(Shops.all(), 7, OPENED, 2);
        resumed.skipUntil(stopped);
        Set<String> ordersOfThisRun = new HashSet<>();
        int undone = 0;
        Instant until = OPENED.plus(Duration.ofDays(60));
        for (ShopEvent event = resumed.next(until); event != null; event = resumed.next(until)) {
            assertThat(event.at()).isAfter(stopped);
            if (event.value() instanceof OrderEvent order) {
                switch (order.getPayload()) {
                    case OrderPaid paid -> ordersOfThisRun.add(paid.getOrderId());
                    case OrderRefunded refunded -> {
                        undone++;
                        assertThat(ordersOfThisRun).as("refunded order sent by this run").contains(refunded.getOrderId());
                    }
                    case io.fugou.events.orders.OrderCancelled cancelled -> {
                        undone++;
                        assertThat(ordersOfThisRun).as("cancelled order sent by this run").contains(cancelled.getOrderId());
                    }
                    default -> {
                    }
                }
            }
        }
        assertThat(undone).isPositive();
        assertThat(resumed.counts()).as("counts only what this run handed out").containsKey(ShopEvent.Kind.PAID);
    }

    @Test
    void eventsComeInTimeOrderAndEveryBuyerRegistersBeforeDoingAnythingElse() {
        Set<String> registered = new HashSet<>();
        Instant previous = OPENED;
        for (ShopEvent event : run(7, 1, 60)) {
            assertThat(event.at()).isAfterOrEqualTo(previous);
            previous = event.at();
            if (event.value() instanceof CustomerEvent customer && customer.getPayload() instanceof CustomerRegistered) {
                assertThat(registered.add(event.key())).as("registers once: " + event.key()).isTrue();
            } else {
                assertThat(registered).as("registered before " + event.kind()).contains(event.key());
            }
        }
    }

    @Test
    void everyOrderAddsUpAsTheContractSays() {
        int orders = 0;
        for (ShopEvent event : run(7, 1, 90)) {
            if (event.value() instanceof OrderEvent order && order.getPayload() instanceof OrderPaid paid) {
                orders++;
                long paidLines = paid.getLines().stream().mapToLong(line -> line.getPaidAmount().getAmountMinor()).sum();
                long shipping = paid.getShippingFee() == null ? 0 : paid.getShippingFee().getAmountMinor();
                assertThat(paidLines + shipping).as(paid.getOrderId()).isEqualTo(paid.getTotal().getAmountMinor());
                for (OrderLine line : paid.getLines()) {
                    long lineDiscount = line.getLineDiscount() == null ? 0 : line.getLineDiscount().getAmountMinor();
                    assertThat(line.getPaidAmount().getAmountMinor()).as(paid.getOrderId() + " " + line.getLineId())
                            .isBetween(0L, line.getUnitPrice().getAmountMinor() * line.getQuantity() - lineDiscount);
                }
                long couponDiscount = paid.getCouponRedemptions().stream().mapToLong(redemption -> redemption.getDiscount().getAmountMinor()).sum();
                long grossLines = paid.getLines().stream().mapToLong(line -> line.getUnitPrice().getAmountMinor() * line.getQuantity()
                        - (line.getLineDiscount() == null ? 0 : line.getLineDiscount().getAmountMinor())).sum();
                assertThat(grossLines - couponDiscount).as("the coupon's discount is shared over the lines").isEqualTo(paidLines);
            }
        }
        assertThat(orders).isGreaterThan(300);
    }

    @Test
    void buyersComeBackAtTheirOwnRhythmSomeDriftAwayAndSomeSendThingsBack() {
        Map<String, List<Instant>> ordersByBuyer = new HashMap<>();
        int refunds = 0;
        for (ShopEvent event : run(7, 1, 150)) {
            if (event.value() instanceof OrderEvent order) {
                if (order.getPayload() instanceof OrderPaid) {
                    ordersByBuyer.computeIfAbsent(event.key(), key -> new ArrayList<>()).add(event.at());
                } else if (order.getPayload() instanceof OrderRefunded) {
                    refunds++;
                }
            }
        }
        long buyers = ordersByBuyer.size();
        long repeatBuyers = ordersByBuyer.values().stream().filter(times -> times.size() >= 2).count();
        double repeatShare = (double) repeatBuyers / buyers;
        assertThat(repeatShare).as("share of buyers who bought again").isBetween(0.2, 0.8);
        List<Long> gaps = ordersByBuyer.values().stream().filter(times -> times.size() >= 2)
                .map(times -> Duration.between(times.get(0), times.get(1)).toDays()).sorted().toList();
        assertThat(gaps.get(gaps.size() / 2)).as("median days to the second order").isBetween(5L, 40L);
        assertThat(refunds).isPositive();
    }

    @Test
    void doubleElevenSellsSeveralTimesAnOrdinaryDay() {
        Map<LocalDate, Integer> ordersByDay = new HashMap<>();
        for (ShopEvent event : run(7, 1, 80)) {
            if (event.kind() == ShopEvent.Kind.PAID) {
                ordersByDay.merge(event.at().atZone(SHANGHAI).toLocalDate(), 1, Integer::sum);
            }
        }
        double ordinaryOctoberDay = java.util.stream.IntStream.rangeClosed(13, 24)
                .map(day -> ordersByDay.getOrDefault(LocalDate.of(2025, 10, day), 0)).average().orElseThrow();
        assertThat(ordersByDay.getOrDefault(LocalDate.of(2025, 11, 11), 0)).isGreaterThan((int) (2 * ordinaryOctoberDay));
    }

    @Test
    void couponsInTheWalletAreUsedAtCheckout() {
        ShopWorld world = new ShopWorld(List.of(beerShop()), 7, OPENED, 1);
        Set<String> buyers = giveTheFirstPayingBuyers(world, 10, (member, event) ->
                List.of(new HeldCoupon(member[0], member[1], "GIFT-" + member[1], 1_000L, null, 0, event.at(), event.at().plus(Duration.ofDays(365)))));

        List<OrderPaid> withCoupon = new ArrayList<>();
        for (ShopEvent event : ordersWithACouponInAYear(world)) {
            OrderEvent order = (OrderEvent) event.value();
            OrderPaid paid = (OrderPaid) order.getPayload();
            withCoupon.add(paid);
            assertThat(buyers).as("only buyers given a coupon use one").contains(event.key());
            assertThat(paid.getCouponRedemptions().get(0).getCode()).isEqualTo("GIFT-" + order.getCustomerId());
        }
        assertThat(withCoupon).as("some of the ten use theirs").isNotEmpty()
                .allSatisfy(paid -> assertThat(paid.getCouponRedemptions().get(0).getDiscount().getAmountMinor()).isEqualTo(1_000));
        assertThat(withCoupon).extracting(OrderPaid::getCouponCodes).as("each coupon is used once").doesNotHaveDuplicates();
    }

    @Test
    void aCouponLimitedToCategoriesIsUsedOnlyOnAnOrderWithALineInOneAndWithinItsCap() {
        ShopWorld world = new ShopWorld(List.of(beerShop()), 7, OPENED, 1);
        giveTheFirstPayingBuyers(world, 40, (member, event) -> {
            Instant until = event.at().plus(Duration.ofDays(365));
            // 50% off snacks, at most 5 yuan; and 90% off a category the shop does not sell, which is never usable.
            return List.of(new HeldCoupon(member[0], member[1], "SNACKS-" + member[1], null, 50, 500L, 0, List.of("snacks"), event.at(), until),
                    new HeldCoupon(member[0], member[1], "TOYS-" + member[1], null, 90, null, 0, List.of("toys"), event.at(), until));
        });

        List<OrderPaid> withCoupon = ordersWithACouponInAYear(world).stream()
                .map(event -> (OrderPaid) ((OrderEvent) event.value()).getPayload()).toList();
        assertThat(withCoupon).as("some use the snacks coupon").isNotEmpty().allSatisfy(paid -> {
            assertThat(paid.getCouponRedemptions().get(0).getCode()).startsWith("SNACKS-");
            assertThat(paid.getLines()).as("a line in snacks").anySatisfy(line -> assertThat(line.getCategory()).startsWith("snacks/"));
            assertThat(paid.getCouponRedemptions().get(0).getDiscount().getAmountMinor()).isBetween(1L, 500L);
        });
    }

    /**
     * In the shop's first month, each of the first {@code count} buyers to pay is given the coupons {@code coupons} makes
     * (from their merchant and customer ids, and their first paid order); their keys.
     */
    private static Set<String> giveTheFirstPayingBuyers(ShopWorld world, int count,
                                                        java.util.function.BiFunction<String[], ShopEvent, List<HeldCoupon>> coupons) {
        Instant monthLater = OPENED.plus(Duration.ofDays(30));
        Set<String> buyers = new HashSet<>();
        for (ShopEvent event = world.next(monthLater); event != null && buyers.size() < count; event = world.next(monthLater)) {
            if (event.kind() == ShopEvent.Kind.PAID && buyers.add(event.key())) {
                coupons.apply(event.key().split(":"), event).forEach(world::couponIssued);
            }
        }
        return buyers;
    }

    /** The paid orders that used a coupon, up to a year after the shop opened. */
    private static List<ShopEvent> ordersWithACouponInAYear(ShopWorld world) {
        Instant yearLater = OPENED.plus(Duration.ofDays(365));
        List<ShopEvent> withCoupon = new ArrayList<>();
        for (ShopEvent event = world.next(yearLater); event != null; event = world.next(yearLater)) {
            if (event.value() instanceof OrderEvent order && order.getPayload() instanceof OrderPaid paid && !paid.getCouponRedemptions().isEmpty()) {
                withCoupon.add(event);
            }
        }
        return withCoupon;
    }

    private static Shop beerShop() {
        return Shops.all().get(0);
    }

    private static List<ShopEvent> run(long seed, int run, int days) {
        ShopWorld world = new ShopWorld(Shops.all(), seed, OPENED, run);
        List<ShopEvent> events = new ArrayList<>();
        Instant until = OPENED.plus(Duration.ofDays(days));
        for (ShopEvent event = world.next(until); event != null; event = world.next(until)) {
            events.add(event);
        }
        return events;
    }

    /** Who, what, when, under which id, and for an order what it came to. */
    private static String fingerprint(ShopEvent event) {
        String amount = event.value() instanceof OrderEvent order && order.getPayload() instanceof OrderPaid paid
                ? " " + paid.getOrderId() + " " + paid.getTotal().getAmountMinor() + " " + paid.getLines().size() : "";
        return event.key() + " " + event.kind() + " " + event.at() + " " + event.value().get(0) + amount;
    }

    /** What two sets share (AssertJ's doesNotContainAnyElementsOf searches linearly: minutes for sets this large). */
    private static Set<String> shared(Set<String> some, Set<String> others) {
        Set<String> shared = new HashSet<>(some);
        shared.retainAll(others);
        return shared;
    }

    private static Set<String> ids(List<ShopEvent> events) {
        Set<String> ids = new HashSet<>();
        for (ShopEvent event : events) {
            ids.add(String.valueOf(event.value().get(0)));
            if (event.value() instanceof OrderEvent order && order.getPayload() instanceof OrderPaid paid) {
                ids.add(paid.getOrderId());
            }
        }
        return ids;
    }
}

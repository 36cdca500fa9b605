package io.fugou.shop.world;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.browsing.BrowsingEvent;
import io.fugou.events.browsing.CartAbandoned;
import io.fugou.events.browsing.CartLine;
import io.fugou.events.browsing.ProductViewed;
import io.fugou.events.common.Consent;
import io.fugou.events.common.ConsentChannel;
import io.fugou.events.common.ConsentSource;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.common.Gender;
import io.fugou.events.common.Money;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.customers.CustomerRegistered;
import io.fugou.events.customers.MembershipRequested;
import io.fugou.events.orders.CouponRedemption;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.events.orders.RefundedLine;
import io.fugou.shop.catalogue.MarketingTerms;
import io.fugou.shop.catalogue.Product;
import io.fugou.shop.catalogue.Shop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The simulated shops and their buyers, moving through simulated time: buyers arrive (more before the festivals),
 * register (most join the membership, some through a poster or a till QR code, some referred by a member), browse,
 * abandon carts, buy at their own rhythm (sooner when a product they use runs out or a coupon sits in their wallet,
 * later pulled to a festival), sometimes cancel or send something back, and drift away.
 *
 * <p>Everything is drawn from the seed: one stream for each shop's arrivals and one for each buyer, so the same seed
 * gives the same shop, and a coupon reaching one buyer changes only that buyer's story. Not thread-safe: one thread
 * asks for {@link #next(Instant)} and hands coupons in.
 */
public final class ShopWorld {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Duration DAY = Duration.ofDays(1);

    private enum Action { ARRIVE, VIEW, ABANDON_CART, ORDER, CANCEL, REFUND, JOIN }

    private record Due(Instant at, long sequence, Action action, Shop shop, Buyer buyer, PlacedOrder order, long generation) {
    }

    private record PlacedOrder(String orderId, List<OrderLine> lines, Money total, Instant placedAt) {
    }

    private final long seed;
    private final int run;
    /** In every id: the seed and when the shops opened, so two stories never share an id. */
    private final String story;
    /** Everything up to here was sent by an earlier run (see {@link #skipUntil(Instant)}). */
    private Instant sentBefore;
    private final PriorityQueue<Due> queue = new PriorityQueue<>(Comparator.comparing(Due::at).thenComparingLong(Due::sequence));
    private final Map<String, SplittableRandom> arrivals = new HashMap<>();
    /** Buyers each shop has had, to number the next one. */
    private final Map<String, Integer> buyerCounts = new HashMap<>();
    private final Map<String, List<Buyer>> membersByShop = new HashMap<>();
    private final Map<String, Buyer> buyers = new HashMap<>();
    private final Map<ShopEvent.Kind, Long> counts = new EnumMap<>(ShopEvent.Kind.class);
    private long sequence;
    private long orderSequence;
    private Instant simulatedTime;

    /**
     * @param start when the shops open (simulated time)
     * @param run which run of the same story this is: ids of orders and events carry it, so a resumed run never
     *            reuses an id the run before it sent
     */
    public ShopWorld(List<Shop> shops, long seed, Instant start, int run) {
        this.seed = seed;
        this.run = run;
        this.story = Long.toString(seed, 36) + Long.toString(start.getEpochSecond() / 60, 36);
        this.simulatedTime = start;
        for (Shop shop : shops) {
            SplittableRandom random = new SplittableRandom(seed * 31 + shop.merchantId().hashCode());
            arrivals.put(shop.merchantId(), random);
            membersByShop.put(shop.merchantId(), new ArrayList<>());
            schedule(nextArrival(shop, start), Action.ARRIVE, shop, null, null, 0);
        }
    }

    /** The next event due at or before {@code upTo}, in time order; null when none is due yet. */
    public ShopEvent next(Instant upTo) {
        while (!queue.isEmpty() && !queue.peek().at().isAfter(upTo)) {
            Due due = queue.poll();
            simulatedTime = due.at();
            ShopEvent event = happen(due);
            if (event != null) {
                counts.merge(event.kind(), 1L, Long::sum);
                return event;
            }
        }
        return null;
    }

    /**
     * Goes through the story up to {@code until} without handing out its events: an earlier run sent them. Cancels and
     * refunds still to come of orders placed until then are dropped later, as those orders went out under the earlier
     * run's ids. Returns how many events were gone through.
     */
    public long skipUntil(Instant until) {
        long skipped = 0;
        while (next(until) != null) {
            skipped++;
        }
        sentBefore = until;
        counts.clear();
        return skipped;
    }

    /** When the next thing is due (it may make no event), or null. */
    public Instant nextDueAt() {
        Due due = queue.peek();
        return due == null ? null : due.at();
    }

    /** The time of the last thing that happened. */
    public Instant simulatedTime() {
        return simulatedTime;
    }

    /** Events handed out (not those gone through by {@link #skipUntil(Instant)}), by kind. */
    public Map<ShopEvent.Kind, Long> counts() {
        return new EnumMap<>(counts);
    }


    public int buyers() {
        return buyers.size();
    }

    /**
     * A coupon arrived in a buyer's wallet: some come sooner for it, and a buyer who had drifted away may come back
     * while it is valid. Coupons of buyers the world does not know (another shop's tool, an earlier story) are ignored.
     */
    public void couponIssued(HeldCoupon coupon) {
        Buyer buyer = buyers.get(new MemberKey(coupon.merchantId(), coupon.customerId()).toString());
        if (buyer == null || buyer.neverBuys) {
            return;
        }
        buyer.wallet.removeIf(held -> held.code().equals(coupon.code()));
        buyer.wallet.add(coupon);
        Instant now = coupon.validFrom().isAfter(simulatedTime) ? coupon.validFrom() : simulatedTime;
        Instant until = coupon.validUntil() != null ? coupon.validUntil() : now.plus(Duration.ofDays(14));
        // A coupon moves one buyer in four of those who like coupons at all; a third of those who had drifted away.
        if (!until.isAfter(now) || buyer.random.nextDouble() >= 0.25 * buyer.couponAffinity) {
            return;
        }
        if (buyer.churned && buyer.random.nextDouble() >= 0.33) {
            return;
        }
        Instant soon = now.plus(days(exponential(buyer.random, 4)));
        Instant orderAt = soon.isBefore(until) ? soon : until.minus(Duration.ofHours(1));
        if (!orderAt.isAfter(simulatedTime)) {
            return; // too little of its validity left to come for it
        }
        if (buyer.churned || buyer.nextOrderAt == null || orderAt.isBefore(buyer.nextOrderAt)) {
            buyer.churned = false;
            scheduleOrder(buyer, orderAt);
        }
    }

    /** A coupon left the wallet (used, expired, taken back): the shop stops offering it. */
    public void couponGone(String merchantId, String customerId, String code) {
        Buyer buyer = buyers.get(new MemberKey(merchantId, customerId).toString());
        if (buyer != null) {
            buyer.wallet.removeIf(held -> held.code().equals(code));
        }
    }

    private ShopEvent happen(Due due) {
        return switch (due.action()) {
            case ARRIVE -> arrive(due.shop(), due.at());
            case VIEW -> view(due.buyer(), due.at());
            case ABANDON_CART -> abandonCart(due.buyer(), due.at());
            case ORDER -> due.generation() == due.buyer().orderGeneration ? order(due.buyer(), due.at()) : null;
            case CANCEL -> sentEarlier(due.order()) ? null : cancel(due.buyer(), due.order(), due.at());
            case REFUND -> sentEarlier(due.order()) ? null : refund(due.buyer(), due.order(), due.at());
            case JOIN -> join(due.buyer(), due.at());
        };
    }

    private boolean sentEarlier(PlacedOrder order) {
        return sentBefore != null && !order.placedAt().isAfter(sentBefore);
    }

    private ShopEvent arrive(Shop shop, Instant at) {
        schedule(nextArrival(shop, at), Action.ARRIVE, shop, null, null, 0);
        String customerId = String.format("buyer-%06d", buyerCounts.merge(shop.merchantId(), 1, Integer::sum));
        Buyer buyer = new Buyer(shop, customerId, seed ^ (customerId + "@" + shop.merchantId()).hashCode() * 0x9E3779B97F4A7C15L);
        buyers.put(new MemberKey(shop.merchantId(), customerId).toString(), buyer);
        EnrollmentChannel channel = buyer.channel;
        List<Buyer> members = membersByShop.get(shop.merchantId());
        if (channel == EnrollmentChannel.REFERRAL) {
            if (members.isEmpty()) {
                channel = EnrollmentChannel.SHARED_LINK;
            } else {
                buyer.referrerCustomerId = members.get(buyer.random.nextInt(members.size())).customerId;
            }
        }
        if (buyer.joinsAtRegistration) {
            becomeMember(buyer);
        }
        // A look around first; most buy within days, some never.
        schedule(at.plus(minutes(buyer.random, 1, 30)), Action.VIEW, shop, buyer, null, 0);
        if (!buyer.neverBuys) {
            scheduleOrder(buyer, at.plus(days(exponential(buyer.random, 2.0))));
        }
        List<Consent> consents = consents(buyer.random, at);
        CustomerRegistered registered = CustomerRegistered.newBuilder()
                .setChannel(channel == null ? EnrollmentChannel.SHOP_HOME : channel)
                .setJoinedMembership(buyer.joinsAtRegistration)
                .setReferrerCustomerId(buyer.referrerCustomerId)
                .setRecruitmentCode(buyer.recruitmentCode)
                .setBirthday(LocalDate.of(1966 + buyer.random.nextInt(40), 1, 1).plusDays(buyer.random.nextInt(365)))
                .setGender(buyer.random.nextDouble() < 0.58 ? Gender.FEMALE : buyer.random.nextDouble() < 0.95 ? Gender.MALE : Gender.UNDISCLOSED)
                .setRegion(REGIONS.get(buyer.random.nextInt(REGIONS.size())))
                .setMarketingConsent(consents.stream().anyMatch(Consent::getGranted))
                .setConsents(consents)
                .build();
        return customerEvent(buyer, at, registered, ShopEvent.Kind.REGISTERED);
    }

    private static final List<String> REGIONS = List.of("CN-31", "CN-11", "CN-44", "CN-33", "CN-32", "CN-51", "CN-42", "CN-50");

    private static List<Consent> consents(SplittableRandom random, Instant at) {
        List<Consent> consents = new ArrayList<>();
        Map<ConsentChannel, Double> chances = new LinkedHashMap<>();
        chances.put(ConsentChannel.APP_PUSH, 0.8);
        chances.put(ConsentChannel.SMS, 0.6);
        chances.put(ConsentChannel.WECHAT, 0.5);
        chances.put(ConsentChannel.EMAIL, 0.2);
        chances.forEach((channel, chance) -> {
            if (random.nextDouble() < chance) {
                consents.add(Consent.newBuilder().setChannel(channel).setGranted(true).setSource(ConsentSource.REGISTRATION).setAt(at).build());
            }
        });
        return consents;
    }

    private ShopEvent view(Buyer buyer, Instant at) {
        Product product = buyer.pickProduct();
        buyer.lastViewed.add(product);
        if (buyer.lastViewed.size() > 3) {
            buyer.lastViewed.remove(0);
        }
        // A session goes on for a few pages; at its end one cart in four is left behind.
        if (buyer.random.nextDouble() < 0.45) {
            schedule(at.plus(minutes(buyer.random, 1, 6)), Action.VIEW, buyer.shop, buyer, null, 0);
        } else if (buyer.random.nextDouble() < 0.25) {
            schedule(at.plus(minutes(buyer.random, 5, 40)), Action.ABANDON_CART, buyer.shop, buyer, null, 0);
        }
        return browsingEvent(buyer, at, ProductViewed.newBuilder().setSku(product.sku()).setCategory(product.category()).build(),
                ShopEvent.Kind.VIEWED);
    }

    private ShopEvent abandonCart(Buyer buyer, Instant at) {
        if (buyer.lastViewed.isEmpty()) {
            return null;
        }
        List<CartLine> lines = new ArrayList<>();
        long total = 0;
        for (Product product : buyer.lastViewed.stream().distinct().toList()) {
            int quantity = 1 + buyer.random.nextInt(2);
            lines.add(CartLine.newBuilder().setSku(product.sku()).setCategory(product.category()).setQuantity(quantity)
                    .setUnitPrice(money(buyer.shop, product.priceMinor())).build());
            total += product.priceMinor() * quantity;
        }
        buyer.lastViewed.clear();
        String cartId = "cart-" + story + "-" + run + "-" + (++sequence);
        return browsingEvent(buyer, at, CartAbandoned.newBuilder().setCartId(cartId).setLines(lines).setTotal(money(buyer.shop, total)).build(),
                ShopEvent.Kind.CART_ABANDONED);
    }

    private ShopEvent order(Buyer buyer, Instant at) {
        Shop shop = buyer.shop;
        buyer.nextOrderAt = null;
        List<Product> basket = new ArrayList<>();
        int kinds = 1 + (buyer.random.nextDouble() < 0.5 ? 0 : buyer.random.nextDouble() < 0.6 ? 1 : buyer.random.nextDouble() < 0.75 ? 2 : 3);
        for (int i = 0; i < kinds * 3 && basket.size() < kinds; i++) {
            Product product = buyer.pickProduct();
            if (!basket.contains(product)) {
                basket.add(product);
            }
        }
        List<long[]> amounts = new ArrayList<>(); // per line: unit price, quantity, line discount
        List<Product> lineProducts = new ArrayList<>();
        for (Product product : basket) {
            int quantity = product.category().startsWith("drinks") ? 2 + buyer.random.nextInt(5) : 1 + buyer.random.nextInt(2);
            if (product.sku().equals(shop.bundleCovers()) && buyer.bundleUnits > 0) {
                // Units already paid for with the pack: a line of their own paying nothing (loyalty draws those from the
                // pack), and the rest, if the pack runs out, on a line that pays.
                int drawn = Math.min(quantity, buyer.bundleUnits);
                buyer.bundleUnits -= drawn;
                lineProducts.add(product);
                amounts.add(new long[] {product.priceMinor(), drawn, drawn * product.priceMinor()});
                quantity -= drawn;
            }
            if (quantity > 0) {
                lineProducts.add(product);
                amounts.add(new long[] {product.priceMinor(), quantity, 0});
            }
            if (product.replenishDays() > 0) {
                buyer.runsOutAt.put(product.sku(), at.plus(days(product.replenishDays() * quantity * (0.7 + 0.6 * buyer.random.nextDouble()))));
            }
        }
        if (buyer.likes(shop.bundleCovers()) && buyer.bundleUnits == 0 && buyer.random.nextDouble() < 0.03) {
            lineProducts.add(shop.bundle());
            amounts.add(new long[] {shop.bundle().priceMinor(), 1, 0});
            buyer.bundleUnits = shop.bundleUnits();
        }
        if (buyer.member && !buyer.paidMember && buyer.random.nextDouble() < 0.025) {
            lineProducts.add(shop.paidMembership());
            amounts.add(new long[] {shop.paidMembership().priceMinor(), 1, 0});
            buyer.paidMember = true;
        }
        long subtotal = amounts.stream().mapToLong(line -> line[0] * line[1] - line[2]).sum();
        HeldCoupon coupon = bestCoupon(buyer, at, subtotal, lineProducts.stream().map(Product::category).toList());
        long couponDiscount = coupon == null ? 0 : coupon.discountOn(subtotal);
        if (coupon != null) {
            buyer.wallet.remove(coupon);
        }
        // The coupon's discount is shared over the lines by what they cost; the last line with money takes the remainder.
        List<OrderLine> lines = new ArrayList<>();
        long shared = 0;
        long paidTotal = 0;
        long lineDiscounts = 0;
        int lastPaying = -1;
        for (int i = 0; i < amounts.size(); i++) {
            if (amounts.get(i)[0] * amounts.get(i)[1] - amounts.get(i)[2] > 0) {
                lastPaying = i;
            }
        }
        for (int i = 0; i < amounts.size(); i++) {
            long[] line = amounts.get(i);
            long gross = line[0] * line[1] - line[2];
            long share = subtotal == 0 ? 0 : i == lastPaying ? couponDiscount - shared : couponDiscount * gross / subtotal;
            shared += share;
            long paid = gross - share;
            paidTotal += paid;
            lineDiscounts += line[2];
            Product product = lineProducts.get(i);
            lines.add(OrderLine.newBuilder().setLineId("L" + (i + 1)).setSku(product.sku()).setProductId(product.sku()).setCategory(product.category())
                    .setQuantity((int) line[1]).setUnitPrice(money(shop, line[0]))
                    .setLineDiscount(line[2] == 0 ? null : money(shop, line[2]))
                    .setPaidAmount(money(shop, paid)).build());
        }
        long shipping = paidTotal >= 9_900 || paidTotal == 0 ? 0 : 1_000;
        String orderId = "o-" + story + "-" + run + "-" + (++orderSequence);
        Money total = money(shop, paidTotal + shipping);
        OrderPaid paid = OrderPaid.newBuilder()
                .setOrderId(orderId)
                .setLines(lines)
                .setTotal(total)
                .setShippingFee(shipping == 0 ? null : money(shop, shipping))
                .setDiscount(couponDiscount + lineDiscounts == 0 ? null : money(shop, couponDiscount + lineDiscounts))
                .setCouponCodes(coupon == null ? List.of() : List.of(coupon.code()))
                .setCouponRedemptions(coupon == null ? List.of()
                        : List.of(CouponRedemption.newBuilder().setCode(coupon.code()).setDiscount(money(shop, couponDiscount)).build()))
                .setSalesChannel(SALES_CHANNELS.get(buyer.random.nextInt(SALES_CHANNELS.size())))
                .build();
        buyer.orders++;
        // Buying enough makes a guest a member (the programme's minimum spend); a few ask to join on their own.
        if (!buyer.member && paidTotal + shipping >= MarketingTerms.AUTO_ENROLL_MINIMUM_SPEND_MINOR) { // as member-service: the order's total
            becomeMember(buyer);
        } else if (!buyer.member && buyer.random.nextDouble() < 0.08) {
            schedule(at.plus(minutes(buyer.random, 2, 60)), Action.JOIN, shop, buyer, null, 0);
        }
        PlacedOrder placed = new PlacedOrder(orderId, lines, total, at);
        double fate = buyer.random.nextDouble();
        if (fate < 0.015) {
            schedule(at.plus(minutes(buyer.random, 20, 360)), Action.CANCEL, shop, buyer, placed, 0);
        } else if (fate < 0.065) {
            schedule(at.plus(days(1 + 9 * buyer.random.nextDouble())), Action.REFUND, shop, buyer, placed, 0);
        }
        if (buyer.random.nextDouble() < buyer.churnPerOrder) {
            buyer.churned = true; // gone, unless a coupon brings them back
        } else {
            scheduleOrder(buyer, nextOrderTime(buyer, at));
        }
        // Browsing between orders: a session or two before the next purchase.
        int sessions = buyer.random.nextInt(3);
        for (int i = 0; i < sessions; i++) {
            schedule(at.plus(days(buyer.rhythmDays * buyer.random.nextDouble())), Action.VIEW, shop, buyer, null, 0);
        }
        return orderEvent(buyer, at, paid, ShopEvent.Kind.PAID);
    }

    private static final List<String> SALES_CHANNELS = List.of("app", "app", "app", "mini_program", "mini_program", "web");

    private static HeldCoupon bestCoupon(Buyer buyer, Instant at, long subtotal, List<String> lineCategories) {
        HeldCoupon best = null;
        for (HeldCoupon coupon : buyer.wallet) {
            if (coupon.usableAt(at, subtotal, lineCategories) && (best == null || coupon.discountOn(subtotal) > best.discountOn(subtotal))) {
                best = coupon;
            }
        }
        return best != null && buyer.random.nextDouble() < 0.5 + 0.5 * buyer.couponAffinity ? best : null;
    }

    /**
     * The buyer's own rhythm with some noise, sooner when something they use is about to run out or a coupon waits
     * in the wallet; a purchase a few days before a festival tends to wait for it.
     */
    private Instant nextOrderTime(Buyer buyer, Instant at) {
        double gapDays = buyer.rhythmDays * StrictMath.exp(0.45 * buyer.random.nextGaussian());
        // Running out of a favourite brings the order forward, though not to less than half the buyer's rhythm.
        for (Map.Entry<String, Instant> runsOut : buyer.runsOutAt.entrySet()) {
            double daysLeft = Duration.between(at, runsOut.getValue()).toMinutes() / 1440.0 - 1.5 * buyer.random.nextDouble();
            if (buyer.likes(runsOut.getKey()) && daysLeft > 0.5 * buyer.rhythmDays && daysLeft < gapDays) {
                gapDays = daysLeft;
            }
        }
        if (buyer.wallet.stream().anyMatch(coupon -> coupon.validUntil() == null || coupon.validUntil().isAfter(at))) {
            gapDays *= 1 - 0.2 * buyer.couponAffinity;
        }
        LocalDate day = at.plus(days(Math.max(0.3, gapDays))).atZone(ZONE).toLocalDate();
        for (int ahead = 1; ahead <= 10; ahead++) {
            double demand = Seasons.demand(day.plusDays(ahead));
            if (demand >= 2 && buyer.random.nextDouble() < 0.15 * demand) {
                day = day.plusDays(ahead);
                break;
            }
        }
        ZonedDateTime time = day.atStartOfDay(ZONE).plusHours(Seasons.hourOfDay(buyer.random.nextDouble())).plusMinutes(buyer.random.nextInt(60))
                .plusSeconds(buyer.random.nextInt(60));
        Instant next = time.toInstant();
        return next.isAfter(at) ? next : at.plus(Duration.ofHours(2));
    }

    private ShopEvent cancel(Buyer buyer, PlacedOrder order, Instant at) {
        undoPurchases(buyer, order);
        return orderEvent(buyer, at, OrderCancelled.newBuilder().setOrderId(order.orderId()).setReason("buyer changed their mind").build(),
                ShopEvent.Kind.CANCELLED);
    }

    /** Three refunds in ten give everything back; the others return one unit of one line. */
    private ShopEvent refund(Buyer buyer, PlacedOrder order, Instant at) {
        String refundId = "r-" + story + "-" + run + "-" + (++sequence);
        List<OrderLine> paying = order.lines().stream().filter(line -> line.getPaidAmount().getAmountMinor() > 0).toList();
        if (paying.isEmpty()) {
            return null;
        }
        OrderRefunded.Builder refund = OrderRefunded.newBuilder().setOrderId(order.orderId()).setRefundId(refundId);
        if (buyer.random.nextDouble() < 0.3) {
            undoPurchases(buyer, order);
            refund.setFullRefund(true).setAmount(order.total()).setReason("not as described")
                    .setLines(order.lines().stream().map(line -> RefundedLine.newBuilder().setLineId(line.getLineId()).setSku(line.getSku())
                            .setQuantity(line.getQuantity()).setAmount(line.getPaidAmount()).build()).toList());
        } else {
            OrderLine line = paying.get(buyer.random.nextInt(paying.size()));
            Money amount = money(buyer.shop, line.getPaidAmount().getAmountMinor() / line.getQuantity());
            refund.setFullRefund(false).setAmount(amount).setReason("arrived damaged")
                    .setLines(List.of(RefundedLine.newBuilder().setLineId(line.getLineId()).setSku(line.getSku()).setQuantity(1).setAmount(amount).build()));
        }
        return orderEvent(buyer, at, refund.build(), ShopEvent.Kind.REFUNDED);
    }

    /** A pack or a membership card sent back is gone: the pack's units with it, the paid membership too. */
    private static void undoPurchases(Buyer buyer, PlacedOrder order) {
        for (OrderLine line : order.lines()) {
            if (line.getSku().equals(buyer.shop.bundle().sku())) {
                buyer.bundleUnits = 0;
            } else if (line.getSku().equals(buyer.shop.paidMembership().sku())) {
                buyer.paidMember = false;
            }
        }
    }

    private ShopEvent join(Buyer buyer, Instant at) {
        if (buyer.member) {
            return null;
        }
        becomeMember(buyer);
        return customerEvent(buyer, at, MembershipRequested.newBuilder().setChannel(EnrollmentChannel.SHOP_HOME).build(), ShopEvent.Kind.JOINED);
    }

    private void becomeMember(Buyer buyer) {
        buyer.member = true;
        membersByShop.get(buyer.shop.merchantId()).add(buyer);
    }

    private void scheduleOrder(Buyer buyer, Instant at) {
        buyer.orderGeneration++;
        buyer.nextOrderAt = at;
        schedule(at, Action.ORDER, buyer.shop, buyer, null, buyer.orderGeneration);
    }

    private void schedule(Instant at, Action action, Shop shop, Buyer buyer, PlacedOrder order, long generation) {
        queue.add(new Due(at.truncatedTo(ChronoUnit.MILLIS), ++sequence, action, shop, buyer, order, generation));
    }

    /** Arrivals are a Poisson process whose rate follows the season. */
    private Instant nextArrival(Shop shop, Instant after) {
        SplittableRandom random = arrivals.get(shop.merchantId());
        double perDay = shop.newBuyersPerDay() * Seasons.demand(after.atZone(ZONE).toLocalDate());
        return after.plus(days(exponential(random, 1 / perDay)));
    }

    private ShopEvent customerEvent(Buyer buyer, Instant at, Object payload, ShopEvent.Kind kind) {
        CustomerEvent event = CustomerEvent.newBuilder().setEventId(eventId()).setOccurredAt(at).setMerchantId(buyer.shop.merchantId())
                .setCustomerId(buyer.customerId).setPayload(payload).build();
        return new ShopEvent(Topics.CUSTOMERS.name(), key(buyer), event, at, kind);
    }

    private ShopEvent orderEvent(Buyer buyer, Instant at, Object payload, ShopEvent.Kind kind) {
        OrderEvent event = OrderEvent.newBuilder().setEventId(eventId()).setOccurredAt(at).setMerchantId(buyer.shop.merchantId())
                .setCustomerId(buyer.customerId).setPayload(payload).build();
        return new ShopEvent(Topics.ORDERS.name(), key(buyer), event, at, kind);
    }

    private ShopEvent browsingEvent(Buyer buyer, Instant at, Object payload, ShopEvent.Kind kind) {
        BrowsingEvent event = BrowsingEvent.newBuilder().setEventId(eventId()).setOccurredAt(at).setMerchantId(buyer.shop.merchantId())
                .setCustomerId(buyer.customerId).setPayload(payload).build();
        return new ShopEvent(Topics.BROWSING.name(), key(buyer), event, at, kind);
    }

    /** Ids from the seed, the run and a counter: the same story gives the same ids, another run never repeats them. */
    private String eventId() {
        return UUID.nameUUIDFromBytes((story + "/" + run + "/" + (++sequence)).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String key(Buyer buyer) {
        return new MemberKey(buyer.shop.merchantId(), buyer.customerId).toString();
    }

    private static Money money(Shop shop, long minor) {
        return Money.newBuilder().setAmountMinor(minor).setCurrency(shop.currency()).build();
    }

    private static Duration days(double days) {
        return Duration.ofSeconds((long) (days * DAY.toSeconds()));
    }

    private static Duration minutes(SplittableRandom random, int from, int to) {
        return Duration.ofSeconds(60L * from + random.nextInt(60 * (to - from) + 1));
    }

    private static double exponential(SplittableRandom random, double mean) {
        return -mean * StrictMath.log(1 - random.nextDouble());
    }
}

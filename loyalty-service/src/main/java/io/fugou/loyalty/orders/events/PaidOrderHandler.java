package io.fugou.loyalty.orders.events;

import io.fugou.events.MemberKey;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.loyalty.entitlements.Entitlements;
import io.fugou.loyalty.orders.EarnedLine;
import io.fugou.loyalty.orders.PaidOrder;
import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.loyalty.orders.PaidOrders.OrderKey;
import io.fugou.loyalty.points.DailyEarnings;
import io.fugou.loyalty.points.LedgerEntry;
import io.fugou.loyalty.points.PointsEvents;
import io.fugou.loyalty.points.PointsLedger;
import io.fugou.loyalty.points.Posting;
import io.fugou.platform.money.Currencies;
import io.fugou.loyalty.rules.EarningRules;
import io.fugou.loyalty.rules.ReturnWindow;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.loyalty.rules.RuleVersion;
import io.fugou.loyalty.rules.Scoring;
import io.fugou.loyalty.tiers.MemberTiers;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.SourcePosition;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Paid orders, a batch at a time: each new order is scored by the merchant's rules in force at its
 * event time and the tier its member held then, capped per order and per member per day, recorded with
 * what each line earned, and credited as one ledger entry (pending until the return window passes),
 * published as {@code PointsEarned}. A record seen before changes nothing; if it is the very record
 * that created its rows (its Kafka transaction never committed), the same events are rebuilt from them.
 */
@Component
public class PaidOrderHandler implements EventHandler<OrderPaid> {

    private final PaidOrders paidOrders;
    private final PointsLedger ledger;
    private final RuleBook rules;
    private final MemberTiers tiers;
    private final DailyEarnings daily;
    private final Entitlements entitlements;

    public PaidOrderHandler(PaidOrders paidOrders, PointsLedger ledger, RuleBook rules, MemberTiers tiers, DailyEarnings daily,
                            Entitlements entitlements) {
        this.paidOrders = paidOrders;
        this.ledger = ledger;
        this.rules = rules;
        this.tiers = tiers;
        this.daily = daily;
        this.entitlements = entitlements;
    }

    /** The entry an order's earning is recorded under: one per order. */
    public static String earningEntryId(String orderId) {
        return "order:" + orderId;
    }

    @Override
    public void check(Inbound<OrderPaid> event) {
        lines(event);
    }

    @Override
    public Mono<List<Outbound>> apply(List<Inbound<OrderPaid>> events) {
        List<OrderKey> keys = events.stream().map(e -> new OrderKey(e.merchantId(), e.payload().getOrderId())).toList();
        return paidOrders.known(keys, events.get(0).position().topic()).flatMap(known -> {
            List<Inbound<OrderPaid>> fresh = new ArrayList<>();
            List<Inbound<OrderPaid>> seenBefore = new ArrayList<>();
            Set<OrderKey> taken = new HashSet<>(known.keySet());
            for (int i = 0; i < events.size(); i++) {
                if (taken.add(keys.get(i))) {
                    fresh.add(events.get(i));
                } else if (events.get(i).position().equals(known.get(keys.get(i)))) {
                    seenBefore.add(events.get(i)); // this very record stored it: its event again (rebuilt below)
                } // else a duplicate from the shop: the first one counts
            }
            Mono<List<LedgerEntry>> credited = fresh.isEmpty() ? Mono.just(List.of()) : credit(fresh);
            Mono<List<LedgerEntry>> rebuilt = ledger.createdBy(seenBefore.stream().map(Inbound::merchantId).toList(),
                    seenBefore.stream().map(e -> earningEntryId(e.payload().getOrderId())).toList(),
                    seenBefore.stream().map(Inbound::position).toList());
            return credited.zipWith(rebuilt, (now, before) -> {
                List<LedgerEntry> entries = new ArrayList<>(now);
                entries.addAll(before);
                return PointsEvents.of(entries);
            });
        });
    }

    private Mono<List<LedgerEntry>> credit(List<Inbound<OrderPaid>> fresh) {
        Mono<RuleBook.Versions> versions = rules.versionsOf(fresh.stream().map(Inbound::merchantId).toList());
        // The tiers are read only when some version of these merchants' rules multiplies by tier.
        return versions.zipWhen(found -> found.byMerchant().values().stream().flatMap(List::stream)
                .noneMatch(version -> !version.rules().tierMultipliers().isEmpty())
                ? Mono.just(Collections.<String>nCopies(fresh.size(), null))
                : tiers.tiersAt(fresh.stream().map(Inbound::member).toList(), fresh.stream().map(Inbound::occurredAt).toList()))
                .flatMap(both -> {
            List<Scored> scored = new ArrayList<>();
            for (int i = 0; i < fresh.size(); i++) {
                Inbound<OrderPaid> event = fresh.get(i);
                RuleVersion version = both.getT1().inForce(event.merchantId(), event.occurredAt());
                List<Scoring.Line> lines = lines(event);
                Scoring.Score score = Scoring.score(version, new Scoring.Order(event.payload().getTotal().getCurrency(),
                        event.occurredAt(), both.getT2().get(i), lines));
                scored.add(new Scored(event, version, lines, score));
            }
            List<DailyEarnings.Claim> claims = scored.stream().map(s -> new DailyEarnings.Claim(s.event().member(), s.score().day(),
                    s.score().points(), s.version().rules().caps().perMemberPerDay())).toList();
            return daily.claim(claims).flatMap(granted -> {
                List<PaidOrder> orders = new ArrayList<>();
                List<Posting> postings = new ArrayList<>();
                for (int i = 0; i < scored.size(); i++) {
                    Scored s = scored.get(i);
                    long points = granted.get(i);
                    List<String> ruleIds = new ArrayList<>(s.score().ruleIds());
                    if (points < s.score().points()) {
                        ruleIds.add("cap:per-member-per-day");
                    }
                    Instant availableAt = ReturnWindow.closesAfterPayment(s.version().rules(), s.event().occurredAt());
                    orders.add(paidOrder(s, points, availableAt));
                    if (points > 0) {
                        postings.add(Posting.earned(s.event().member(), earningEntryId(s.event().payload().getOrderId()), points,
                                s.event().payload().getOrderId(), ruleIds, availableAt,
                                ReturnWindow.pointsExpireAfter(s.version().rules(), s.event().occurredAt()), s.event().occurredAt(),
                                s.event().position()));
                    }
                }
                List<SourcePosition> sources = scored.stream().map(s -> s.event().position()).toList();
                List<Entitlements.Grant> grants = grants(scored);
                List<Entitlements.Use> uses = uses(scored);
                return lockBalancesOfEntitlements(postings, grants, uses).then(paidOrders.insert(orders, sources))
                        .then(Mono.defer(() -> ledger.post(postings)
                                .flatMap(entries -> entitlements.apply(grants, uses).thenReturn(entries))));
            });
        });
    }

    /**
     * A batch that grants or draws entitlements would take its members' balance rows in three sorted runs (posting the
     * points, locking the entitlements' users, numbering the entitlements' events), and a writer taking several in one run
     * (the release and expiry jobs) could meet them in another order: such a batch locks them all in one run first. Most
     * batches have none and skip the statement.
     */
    private Mono<Void> lockBalancesOfEntitlements(List<Posting> postings, List<Entitlements.Grant> grants, List<Entitlements.Use> uses) {
        if (grants.isEmpty() && uses.isEmpty()) {
            return Mono.empty();
        }
        Set<MemberKey> members = new HashSet<>();
        postings.forEach(posting -> members.add(posting.member()));
        grants.forEach(grant -> members.add(grant.member()));
        uses.forEach(use -> members.add(use.member()));
        return ledger.lock(List.copyOf(members));
    }

    private record Scored(Inbound<OrderPaid> event, RuleVersion version, List<Scoring.Line> lines, Scoring.Score score) {
    }

    /** Bundles bought: each unit of a bundle SKU stores the bundle's units of the SKU it covers. */
    private static List<Entitlements.Grant> grants(List<Scored> scored) {
        List<Entitlements.Grant> grants = new ArrayList<>();
        for (Scored s : scored) {
            if (s.version().rules().bundles().isEmpty()) {
                continue; // most merchants sell none: no stream per line
            }
            for (Scoring.Line line : s.lines()) {
                EarningRules.BundleRule bundle = line.sku() == null ? null : s.version().rules().bundle(line.sku());
                if (bundle != null && line.quantity() > 0) {
                    String orderId = s.event().payload().getOrderId();
                    grants.add(new Entitlements.Grant(s.event().member(), "bundle:" + orderId + ":" + line.lineKey(), bundle.coversSku(),
                            bundle.units() * line.quantity(), orderId, s.event().occurredAt(), bundle.expiresAfterDays() == null ? null
                                    : ReturnWindow.endOfDayAfter(s.version().rules(), s.event().occurredAt(), bundle.expiresAfterDays())));
                }
            }
        }
        return grants;
    }

    /** Lines of a SKU some bundle covers that the buyer paid nothing for: drawn from the member's entitlements. */
    private static List<Entitlements.Use> uses(List<Scored> scored) {
        List<Entitlements.Use> uses = new ArrayList<>();
        for (Scored s : scored) {
            if (s.version().rules().bundles().isEmpty()) {
                continue;
            }
            for (Scoring.Line line : s.lines()) {
                boolean covered = s.version().rules().bundles().stream().anyMatch(bundle -> bundle.coversSku().equals(line.sku()));
                if (covered && line.paidMinor() == 0 && line.quantity() > 0) {
                    String orderId = s.event().payload().getOrderId();
                    uses.add(new Entitlements.Use(s.event().member(), "order:" + orderId + ":" + line.lineKey(), line.sku(), line.quantity(),
                            orderId, s.event().occurredAt()));
                }
            }
        }
        return uses;
    }

    private static PaidOrder paidOrder(Scored s, long points, Instant availableAt) {
        List<Long> linePoints = s.score().linePoints(points);
        List<EarnedLine> lines = new ArrayList<>();
        for (int i = 0; i < s.lines().size(); i++) {
            Scoring.Line line = s.lines().get(i);
            lines.add(new EarnedLine(line.lineKey(), line.sku(), line.quantity(), line.paidMinor(), linePoints.get(i), 0, 0, 0));
        }
        Inbound<OrderPaid> event = s.event();
        OrderPaid paid = event.payload();
        return new PaidOrder(event.merchantId(), paid.getOrderId(), event.customerId(), event.eventId(), paid.getTotal().getAmountMinor(),
                paid.getTotal().getCurrency(), event.occurredAt(), s.version().version(), points, 0, availableAt, availableAt == null, lines);
    }

    /**
     * The order's lines with what was paid for each: its paidAmount, or, from a shop that does not allocate
     * discounts to lines, the total less shipping shared by what each line cost. Refuses an order that
     * cannot be scored, naming what is wrong.
     */
    static List<Scoring.Line> lines(Inbound<OrderPaid> event) {
        OrderPaid paid = event.payload();
        // What is wrong is worded only when something is: most orders are valid, and this runs for each of them.
        Function<String, String> invalid = problem -> "OrderPaid " + paid.getOrderId() + " (event " + event.eventId() + ") is invalid: " + problem;
        Money total = paid.getTotal();
        if (paid.getOrderId() == null || paid.getOrderId().isBlank()) {
            throw new InvalidEventException(invalid.apply("orderId must not be blank"), null);
        }
        if (total == null) {
            throw new InvalidEventException(invalid.apply("it has no total amount"), null);
        }
        if (!Currencies.isIso4217(total.getCurrency())) {
            throw new InvalidEventException(invalid.apply("total currency must be an ISO-4217 code such as CNY but was '" + total.getCurrency() + "'"),
                    null);
        }
        checkMoney(invalid, -1, "total", total, total.getCurrency());
        long shipping = paid.getShippingFee() == null ? 0 : paid.getShippingFee().getAmountMinor();
        if (paid.getShippingFee() != null) {
            checkMoney(invalid, -1, "shippingFee", paid.getShippingFee(), total.getCurrency());
        }
        List<OrderLine> lines = paid.getLines();
        List<BigInteger> listed = new ArrayList<>();
        boolean allocated = true;
        for (int i = 0; i < lines.size(); i++) {
            OrderLine line = lines.get(i);
            if (line.getQuantity() < 0) {
                throw new InvalidEventException(invalid.apply("lines[" + i + "].quantity must not be negative but was " + line.getQuantity()), null);
            }
            checkMoney(invalid, i, "unitPrice", line.getUnitPrice(), total.getCurrency());
            long cost = line.getUnitPrice().getAmountMinor() * line.getQuantity();
            if (line.getLineDiscount() != null) {
                checkMoney(invalid, i, "lineDiscount", line.getLineDiscount(), total.getCurrency());
                cost -= line.getLineDiscount().getAmountMinor();
            }
            if (line.getPaidAmount() == null) {
                allocated = false;
            } else {
                checkMoney(invalid, i, "paidAmount", line.getPaidAmount(), total.getCurrency());
            }
            listed.add(BigInteger.valueOf(Math.max(0, cost)));
        }
        List<Long> shares = allocated ? null : Scoring.share(Math.max(0, total.getAmountMinor() - shipping), listed);
        List<Scoring.Line> scored = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            OrderLine line = lines.get(i);
            long paidMinor = allocated ? line.getPaidAmount().getAmountMinor() : shares.get(i);
            scored.add(new Scoring.Line(line.getLineId() != null ? line.getLineId() : line.getSku(), line.getSku(), line.getCategory(),
                    line.getQuantity(),
                    paidMinor));
        }
        long linesPaid = scored.stream().mapToLong(Scoring.Line::paidMinor).sum();
        if (linesPaid > total.getAmountMinor()) {
            throw new InvalidEventException(invalid.apply("its lines' paidAmount add up to " + linesPaid + ", more than its total "
                    + total.getAmountMinor()), null);
        }
        return scored;
    }

    /** An amount of the order (line -1) or of its line: in the order's currency (an ISO-4217 code, checked first), not negative. */
    private static void checkMoney(Function<String, String> invalid, int line, String field, Money money, String orderCurrency) {
        if (!money.getCurrency().equals(orderCurrency)) {
            String what = (line < 0 ? "" : "lines[" + line + "].") + field;
            throw new InvalidEventException(invalid.apply(Currencies.isIso4217(money.getCurrency())
                    ? what + " is in " + money.getCurrency() + " but the order is in " + orderCurrency
                    : what + " currency must be an ISO-4217 code such as CNY but was '" + money.getCurrency() + "'"), null);
        }
        if (money.getAmountMinor() < 0) {
            throw new InvalidEventException(invalid.apply((line < 0 ? "" : "lines[" + line + "].") + field + " must not be negative but was "
                    + money.getAmountMinor()), null);
        }
    }

}

package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MemberHistory;
import io.fugou.analytics.state.MerchantNorms;
import io.fugou.analytics.state.OrderFact;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.LifecycleStage;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.lifecycle.NextOrderPredicted;
import io.fugou.events.lifecycle.RfmSegmentChanged;
import io.fugou.analytics.state.CampaignTouch;
import io.fugou.events.campaigns.CampaignAssigned;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.campaigns.CouponRedeemed;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberTierChanged;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsAvailable;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsExpired;
import io.fugou.events.points.PointsRedeemed;
import io.fugou.events.points.PointsReversed;
import io.fugou.events.members.MemberErased;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Each buyer's orders (keyed merchantId:customerId, as orders and member events are): keeps their history, and reports to the
 * merchant's figures how the buyer's part in them moved ({@link Contributions}). Figures over rolling windows and the
 * lifecycle stage move with the clock too (wall-clock time, Kafka Streams' own clock): when a buyer's next such move is due is
 * indexed in {@value #CHECKS_STORE}, and a punctuator works the index off. Emits {@code NextOrderPredicted} and
 * {@code MemberLifecycleChanged} to {@code fugou.lifecycle.v1} when they move.
 */
final class MemberOrdersProcessor extends ContextualProcessor<String, SpecificRecord, String, SpecificRecord> {

    static final String ORDERS_STORE = "member-orders";
    static final String CHECKS_STORE = "member-checks";
    /** The fewest intervals of their own a buyer's rhythm is judged by; with fewer, the merchant's typical interval is. */
    static final int OWN_INTERVALS = 2;
    /** How often a buyer's RFM score is looked at again when nothing else about them moved. */
    static final long RESCORE_EVERY = Duration.ofDays(1).toMillis();
    /** How soon a buyer who could not be scored yet (the merchant's first cuts are not out) is looked at again. */
    static final long UNSCORED_RESCORE = Duration.ofMinutes(1).toMillis();
    /** Residue keys start with what no merchant id can ({@code MerchantId}), so no merchant's key can meet one. */
    static final String RESIDUE_PREFIX = "~erased:";

    private final ZoneId zone;
    private final Duration checkEvery;
    private final long defaultInterval;
    private final long attribution;
    private KeyValueStore<String, MemberHistory> histories;
    private KeyValueStore<String, String> checks;
    private KeyValueStore<String, MerchantNorms> norms;

    /**
     * @param defaultInterval the interval a buyer's rhythm is judged by while neither they nor the merchant have enough of their own
     * @param attribution     how long after a campaign's assignment an order counts as its conversion
     */
    MemberOrdersProcessor(ZoneId zone, Duration checkEvery, Duration defaultInterval, Duration attribution) {
        this.zone = zone;
        this.checkEvery = checkEvery;
        this.defaultInterval = defaultInterval.toMillis();
        this.attribution = attribution.toMillis();
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        histories = context.getStateStore(ORDERS_STORE);
        checks = context.getStateStore(CHECKS_STORE);
        norms = context.getStateStore(MerchantFiguresProcessor.NORMS_STORE);
        context.schedule(checkEvery, PunctuationType.WALL_CLOCK_TIME, this::clockMoved);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        long now = context().currentSystemTimeMs();
        SpecificRecord event = record.value();
        if (event instanceof MemberEvent member && member.getPayload() instanceof MemberErased) {
            erase(member.getMerchantId() + ":" + member.getCustomerId(), now);
            return;
        }
        String merchantId = event instanceof OrderEvent order ? order.getMerchantId() : event instanceof MemberEvent member ? member.getMerchantId()
                : event instanceof PointsEvent points ? points.getMerchantId() : ((CampaignEvent) event).getMerchantId();
        String customerId = event instanceof OrderEvent order ? order.getCustomerId() : event instanceof MemberEvent member ? member.getCustomerId()
                : event instanceof PointsEvent points ? points.getCustomerId() : ((CampaignEvent) event).getCustomerId();
        String key = merchantId + ":" + customerId;
        MemberHistory history = histories.get(key);
        if (history == null) {
            history = MemberHistory.newBuilder().setMerchantId(merchantId).setCustomerId(customerId).setOrders(new ArrayList<>())
                    .setReported(new HashMap<>()).setPoints(new HashMap<>()).setCampaigns(new ArrayList<>()).build();
        }
        MemberHistory before = asItWas(history);
        boolean changed = switch (event) {
            case OrderEvent order -> apply(history, order);
            case MemberEvent member -> apply(history, member);
            case PointsEvent points -> apply(history, points);
            case CampaignEvent campaign -> apply(history, campaign);
            default -> false;
        };
        if (changed) {
            update(key, history, before, Moved.by(event), now);
        }
    }

    /**
     * The history as it is, for reading as it was after the event is applied: a shallow copy, which holds because applying an
     * event replaces what it changes (an order's fact, the list holding it, a campaign touch, the points) instead of changing it.
     */
    private static MemberHistory asItWas(MemberHistory history) {
        MemberHistory copy = new MemberHistory();
        for (int field = 0; field < MemberHistory.getClassSchema().getFields().size(); field++) {
            copy.put(field, history.get(field));
        }
        return copy;
    }

    /**
     * Which of the figures that do not move with the clock an event can move, so only those are worked out before and after
     * it, and the cost of an order does not grow with the buyer's history: an order event moves the figures of orders (and
     * only of the order and the one after it: {@code orderId}), a points event the points, a campaign event the campaigns; a
     * member event (membership counts, and every figure split by members and guests) moves everything.
     */
    private record Moved(boolean membership, boolean orders, boolean points, boolean campaigns, String orderId) {

        static final Moved EVERYTHING = new Moved(true, true, true, true, null);

        static Moved by(SpecificRecord event) {
            return switch (event) {
                case OrderEvent order -> new Moved(false, true, false, true, orderId(order));
                case PointsEvent points -> new Moved(false, false, true, false, null);
                case CampaignEvent campaign -> new Moved(false, false, false, true, null);
                default -> EVERYTHING;
            };
        }

        private static String orderId(OrderEvent order) {
            return switch (order.getPayload()) {
                case OrderPaid paid -> paid.getOrderId();
                case OrderRefunded refunded -> refunded.getOrderId();
                case OrderCancelled cancelled -> cancelled.getOrderId();
                default -> throw new IllegalStateException("an order event that moves no figure was applied: " + order.getPayload().getClass());
            };
        }
    }

    /** Enrollment and tier changes; false for what no figure counts. */
    private static boolean apply(MemberHistory history, MemberEvent event) {
        if (event.getPayload() instanceof MemberEnrolled enrolled && history.getMemberSince() == null) {
            history.setMemberSince(event.getOccurredAt().toEpochMilli());
            history.setTier(enrolled.getTier());
            history.setChannel(enrolled.getChannel().name());
            history.setRecruitmentCode(enrolled.getRecruitmentCode());
            return true;
        }
        if (event.getPayload() instanceof MemberTierChanged tier && !tier.getToTier().equals(history.getTier())) {
            history.setTier(tier.getToTier());
            return true;
        }
        return false;
    }

    /** Points totals, and the balance and pending points the member's last points event left. */
    private static boolean apply(MemberHistory history, PointsEvent event) {
        Map<String, Long> points = new HashMap<>(history.getPoints());
        switch (event.getPayload()) {
            case PointsEarned earned -> {
                points.merge("earned", earned.getPoints(), Long::sum);
                points.put("balance", earned.getBalanceAfter());
                points.put("pending", earned.getPendingAfter());
            }
            case PointsAvailable available -> {
                points.put("balance", available.getBalanceAfter());
                points.put("pending", available.getPendingAfter());
            }
            case PointsRedeemed redeemed -> {
                points.merge("redeemed", redeemed.getPoints(), Long::sum);
                points.put("balance", redeemed.getBalanceAfter());
            }
            case PointsReversed reversed -> {
                points.merge("reversed", reversed.getPoints(), Long::sum);
                points.put("balance", reversed.getBalanceAfter());
                points.put("pending", reversed.getPendingAfter());
            }
            case PointsExpired expired -> {
                points.merge("expired", expired.getPoints(), Long::sum);
                points.put("balance", expired.getBalanceAfter());
            }
            case PointsAdjusted adjusted -> {
                points.merge("adjusted", adjusted.getPoints(), Long::sum);
                points.put("balance", adjusted.getBalanceAfter());
            }
            default -> {
                return false;
            }
        }
        points.values().removeIf(value -> value == 0);
        history.setPoints(points);
        return true;
    }

    /** A campaign's first assignment of the buyer, and its coupon issued and redeemed. */
    private static boolean apply(MemberHistory history, CampaignEvent event) {
        if (event.getPayload() instanceof CampaignAssigned assigned) {
            if (history.getCampaigns().stream().anyMatch(touch -> touch.getCampaignId().equals(assigned.getCampaignId()))) {
                return false; // assignment is sticky: the first one counts
            }
            List<CampaignTouch> touches = new ArrayList<>(history.getCampaigns());
            touches.add(CampaignTouch.newBuilder().setCampaignId(assigned.getCampaignId()).setAssignmentGroup(assigned.getGroup().name())
                    .setVariant(assigned.getVariant()).setAssignedAt(event.getOccurredAt().toEpochMilli()).build());
            history.setCampaigns(touches);
            return true;
        }
        String campaignId = event.getPayload() instanceof CouponIssued issued ? issued.getCampaignId()
                : event.getPayload() instanceof CouponRedeemed redeemed ? redeemed.getCampaignId() : null;
        List<CampaignTouch> touches = history.getCampaigns();
        for (int i = 0; i < touches.size(); i++) {
            CampaignTouch touch = touches.get(i);
            if (touch.getCampaignId().equals(campaignId)) {
                boolean issued = event.getPayload() instanceof CouponIssued;
                if (issued ? touch.getCouponIssued() : touch.getCouponRedeemed()) {
                    return false;
                }
                CampaignTouch.Builder moved = CampaignTouch.newBuilder(touch);
                if (issued) {
                    moved.setCouponIssued(true);
                } else {
                    moved.setCouponRedeemed(true);
                }
                List<CampaignTouch> replaced = new ArrayList<>(touches); // replaced, not changed: see asItWas
                replaced.set(i, moved.build());
                history.setCampaigns(replaced);
                return true;
            }
        }
        return false; // a coupon of no campaign (bought with points), or of a campaign whose assignment has not arrived
    }

    /** Applies an order event to the history; false when it changes nothing (a duplicate, or an event no figure counts). */
    private static boolean apply(MemberHistory history, OrderEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof OrderPaid paid) {
            OrderFact fact = fact(history, paid.getOrderId());
            if (fact.getPaidAt() != null) {
                return false; // a duplicate OrderPaid counts once
            }
            LinkedHashSet<String> categories = new LinkedHashSet<>();
            for (OrderLine line : paid.getLines()) {
                categories.add(line.getCategory());
            }
            fact.setPaidAt(event.getOccurredAt().toEpochMilli());
            fact.setAmountMinor(paid.getTotal().getAmountMinor());
            fact.setCurrency(paid.getTotal().getCurrency());
            fact.setCategories(new ArrayList<>(categories));
            return true;
        }
        if (payload instanceof OrderRefunded refund) {
            OrderFact fact = fact(history, refund.getOrderId());
            if (fact.getRefundIds().contains(refund.getRefundId())) {
                return false;
            }
            List<String> refunds = new ArrayList<>(fact.getRefundIds());
            refunds.add(refund.getRefundId());
            fact.setRefundIds(refunds);
            fact.setRefundedMinor(fact.getRefundedMinor() + refund.getAmount().getAmountMinor());
            if (refund.getFullRefund()) {
                fact.setVoided(true);
            }
            return true;
        }
        if (payload instanceof OrderCancelled cancelled) {
            OrderFact fact = fact(history, cancelled.getOrderId());
            boolean changed = !fact.getVoided();
            fact.setVoided(true);
            return changed;
        }
        return false; // fulfilment moves no figure
    }

    /**
     * The order's fact to change, in a new list in the history: a copy of the fact (replaced, not changed: see asItWas), or a
     * new one (unpaid) when its refund or cancellation comes before it.
     */
    private static OrderFact fact(MemberHistory history, String orderId) {
        List<OrderFact> orders = new ArrayList<>(history.getOrders());
        history.setOrders(orders);
        for (int i = 0; i < orders.size(); i++) {
            if (orderId.equals(orders.get(i).getOrderId())) {
                OrderFact copy = OrderFact.newBuilder(orders.get(i)).build();
                orders.set(i, copy);
                return copy;
            }
        }
        OrderFact fact = OrderFact.newBuilder().setOrderId(orderId).setCategories(new ArrayList<>()).setRefundIds(new ArrayList<>()).build();
        orders.add(fact);
        return fact;
    }

    /**
     * Reports how the buyer's part in the merchant's figures moved (from {@code before}, the history as it was, for the figures
     * that do not move with the clock, those {@code moved} says the event can move; from what was last reported, for those
     * that do), re-indexes the next check, emits the stage and the prediction when they moved, and stores the history.
     * {@code moved} is null for a look with the clock alone, which moves nothing that does not move with it.
     */
    private void update(String key, MemberHistory history, MemberHistory before, Moved moved, long now) {
        boolean residue = history.getCustomerId() == null;
        List<OrderFact> is = Contributions.counted(history.getOrders());
        Map<String, Map<String, Long>> changes = new HashMap<>();

        Set<OrderFact> movedOrders = null; // null: every order
        if (moved != null) {
            List<OrderFact> was = Contributions.counted(before.getOrders());
            movedOrders = moved.orderId() == null ? null : Contributions.movedWith(moved.orderId(), was, is);
            Set<YearMonth> months = null;
            boolean firstMoved = true;
            if (movedOrders != null) {
                months = new HashSet<>();
                for (OrderFact order : movedOrders) {
                    months.add(Contributions.month(order, zone));
                }
                firstMoved = !was.isEmpty() && movedOrders.contains(was.get(0)) || !is.isEmpty() && movedOrders.contains(is.get(0));
            }
            Map<String, Map<String, Long>> then = timeless(before, was, moved, movedOrders, months, firstMoved);
            Map<String, Map<String, Long>> since = timeless(history, is, moved, movedOrders, months, firstMoved);
            Set<String> figures = new HashSet<>(then.keySet());
            figures.addAll(since.keySet());
            for (String figure : figures) {
                moved(changes, figure, Contributions.difference(then.getOrDefault(figure, Map.of()), since.getOrDefault(figure, Map.of())));
            }
        }

        Long own = Contributions.ownInterval(is, OWN_INTERVALS);
        MerchantNorms merchant = norms.get(history.getMerchantId());
        Long typical = merchant == null ? null : merchant.getTypicalIntervalMillis();
        long interval = own != null ? own : typical != null ? typical : defaultInterval;
        Map<String, Map<String, Long>> reported = new HashMap<>(history.getReported());
        boolean member = history.getMemberSince() != null;
        // A check already due (an order left a window, the punctuator not round yet) is made now: rescheduling below drops it.
        boolean due = history.getNextCheck() != null && history.getNextCheck() <= now;
        for (Frequency.Window window : Frequency.Window.values()) {
            long from = now - window.millis() + 1;
            // An event that moved no order in the window leaves it as reported (the clock's moves are the checks' to report).
            boolean windowMoved = moved == null || due || moved.membership() || moved.orders() && (movedOrders == null
                    || movedOrders.stream().anyMatch(order -> order.getPaidAt() >= from));
            if (windowMoved) {
                report(changes, reported, window.figure(), Contributions.period(is, from, Long.MAX_VALUE, member, zone));
            }
        }
        LifecycleStage stage = residue ? null : Contributions.stage(is, interval, now);
        Rfm.Score score = residue ? null : Rfm.score(is, merchant, zone);
        Map<String, Long> standing = new HashMap<>();
        if (stage != null) {
            standing.put(Contributions.STAGE + stage.name(), 1L);
        }
        if (score != null) {
            standing.put(Rfm.SEGMENT + score.segment(), 1L);
        }
        report(changes, reported, Contributions.NOW, standing);
        history.setReported(reported);

        Long stageChange = residue ? null : Contributions.nextStageChange(is, interval, now);
        // A buyer's RFM scores are judged against cuts that move as the merchant's other buyers order: looked at again daily.
        Long rescore = residue || is.isEmpty() ? null : now + (score == null ? UNSCORED_RESCORE : RESCORE_EVERY);
        Long otherwise = stageChange == null ? rescore : rescore == null ? stageChange : Long.valueOf(Math.min(stageChange, rescore));
        reschedule(key, history, is, otherwise, now);
        if (!residue) {
            stageMoved(history, stage, is, interval);
            segmentMoved(history, score, now);
            predict(history, is, interval, own != null, now);
        }
        if (residue && history.getNextCheck() == null) {
            histories.delete(key); // an erased member's residue that no longer counts in anything that moves
        } else {
            histories.put(key, history);
        }
        if (!changes.isEmpty()) {
            context().forward(new Record<>(history.getMerchantId(), new FigureChanges(history.getMerchantId(), changes), now));
        }
    }

    /**
     * The buyer's part in the figures that do not move with the clock, those the event can move: of the months and the
     * categories bought next, only those of {@code orders} (null: all); of the cohort cells, only those of {@code months}
     * unless the first order moved.
     */
    private Map<String, Map<String, Long>> timeless(MemberHistory history, List<OrderFact> counted, Moved moved, Set<OrderFact> orders,
                                                    Set<YearMonth> months, boolean firstMoved) {
        Map<String, Map<String, Long>> figures = new HashMap<>();
        if (moved.membership() || moved.orders()) {
            figures.putAll(Contributions.months(counted, history.getMemberSince() != null, zone, moved.membership() ? null : months));
        }
        if (moved.orders()) {
            figures.put(Contributions.COHORTS, Contributions.cohorts(counted, zone, firstMoved ? null : months));
            figures.put(Contributions.NEXT_CATEGORY, Contributions.nextCategories(counted, orders));
            figures.put(Rfm.BASIS, Rfm.basis(counted, zone));
        }
        if (moved.membership()) {
            figures.put(Contributions.MEMBERS, Contributions.membership(history));
            figures.put(Contributions.ENROLLMENTS, Contributions.enrollment(history, zone));
        }
        if (moved.points()) {
            figures.put(Contributions.POINTS, history.getPoints());
        }
        if (moved.campaigns()) {
            figures.putAll(Contributions.campaigns(history, counted, attribution));
        }
        return figures;
    }

    private static void moved(Map<String, Map<String, Long>> changes, String figure, Map<String, Long> difference) {
        if (!difference.isEmpty()) {
            changes.put(figure, difference);
        }
    }

    /** A figure that moves with the clock: the difference from what was last reported, which the buyer's history now records. */
    private static void report(Map<String, Map<String, Long>> changes, Map<String, Map<String, Long>> reported, String figure, Map<String, Long> now) {
        moved(changes, figure, Contributions.difference(reported.getOrDefault(figure, Map.of()), now));
        if (now.isEmpty()) {
            reported.remove(figure);
        } else {
            reported.put(figure, now);
        }
    }

    /** Indexes the buyer's next look with the clock alone: an order leaving a rolling window, the stage moving on, a new RFM look. */
    private void reschedule(String key, MemberHistory history, List<OrderFact> counted, Long otherwise, long now) {
        Long next = otherwise;
        for (OrderFact fact : counted) {
            for (Frequency.Window window : Frequency.Window.values()) {
                long leaves = fact.getPaidAt() + window.millis();
                if (leaves > now && (next == null || leaves < next)) {
                    next = leaves;
                }
            }
        }
        if (Objects.equals(next, history.getNextCheck())) {
            return;
        }
        if (history.getNextCheck() != null) {
            checks.delete(checkKey(history.getNextCheck(), key));
        }
        if (next != null) {
            checks.put(checkKey(next, key), key);
        }
        history.setNextCheck(next);
    }

    /** Fixed-width millis first, so the store's byte order is time order and a range read finds what is due. */
    static String checkKey(long at, String memberKey) {
        String millis = Long.toString(at); // padded by hand: String.format showed in profiles of the order path
        return "0".repeat(Math.max(0, 13 - millis.length())) + millis + "|" + memberKey;
    }

    /** Buyers whose orders left a window, or whose stage moved on, since the last look. */
    private void clockMoved(long now) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = checks.range(checkKey(0, ""), checkKey(now, "\uffff"))) {
            entries.forEachRemaining(due::add);
        }
        for (KeyValue<String, String> entry : due) {
            MemberHistory history = histories.get(entry.value);
            if (history == null) {
                checks.delete(entry.key);
                continue;
            }
            update(entry.value, history, history, null, now);
        }
    }

    /**
     * The member's history goes (a tombstone in the changelog), and with it their place in the membership counts and the
     * lifecycle funnel; the merchant's totals stay. What the totals still need stays as an anonymous residue under a random
     * key (order times, amounts and categories, campaign assignments, points), so the rolling windows lose the member's
     * orders when they should.
     */
    private void erase(String key, long now) {
        MemberHistory history = histories.get(key);
        if (history == null) {
            return;
        }
        if (history.getNextCheck() != null) {
            checks.delete(checkKey(history.getNextCheck(), key));
        }
        histories.delete(key);
        List<OrderFact> kept = new ArrayList<>();
        for (OrderFact fact : Contributions.counted(history.getOrders())) {
            kept.add(OrderFact.newBuilder().setPaidAt(fact.getPaidAt()).setAmountMinor(fact.getAmountMinor()).setCurrency(fact.getCurrency())
                    .setRefundedMinor(fact.getRefundedMinor()).setCategories(fact.getCategories()).setRefundIds(List.of()).build());
        }
        MemberHistory residue = MemberHistory.newBuilder().setMerchantId(history.getMerchantId()).setCustomerId(null)
                .setMemberSince(history.getMemberSince()).setOrders(kept).setReported(history.getReported()).setNextCheck(null)
                .setPoints(withoutBalances(history.getPoints())).setCampaigns(history.getCampaigns()).build();
        update(RESIDUE_PREFIX + UUID.randomUUID(), residue, history, Moved.EVERYTHING, now);
    }

    /**
     * The totals stay after an erasure; the balance and pending points leave the liability, since loyalty-service keeps the
     * member's ledger and its next points event for them starts a new history with the balance as it then is.
     */
    private static Map<String, Long> withoutBalances(Map<String, Long> points) {
        Map<String, Long> totals = new HashMap<>(points);
        totals.remove("balance");
        totals.remove("pending");
        return totals;
    }

    /**
     * A {@code MemberLifecycleChanged} when the stage moved, at the event time it moved (so a replay's moves that history has
     * overtaken arrive behind newer ones and trigger nothing), with an id derived from what moved (so a replay repeats ids).
     */
    private void stageMoved(MemberHistory history, LifecycleStage stage, List<OrderFact> counted, long interval) {
        String name = stage == null ? null : stage.name();
        if (Objects.equals(name, history.getStage())) {
            return;
        }
        LifecycleStage from = history.getStage() == null ? null : LifecycleStage.valueOf(history.getStage());
        history.setStage(name);
        if (stage != null) {
            // Never earlier than the move before (a cancelled latest order makes the derived time go back), so it is not
            // taken for a late one.
            long since = Math.max(Contributions.stageSince(counted, interval, stage), history.getStageAt() == null ? Long.MIN_VALUE : history.getStageAt() + 1);
            history.setStageAt(since);
            emit(history, "stage|" + stage + "|" + since, since, MemberLifecycleChanged.newBuilder().setFromStage(from).setToStage(stage)
                    .setLastOrderAt(Instant.ofEpochMilli(counted.get(counted.size() - 1).getPaidAt())).setOrderCount(counted.size()).build());
        }
    }

    /** An {@code RfmSegmentChanged} when the buyer's segment moved (their scores alone moving is not news). */
    private void segmentMoved(MemberHistory history, Rfm.Score score, long now) {
        if (score == null || score.segment().equals(history.getRfm())) {
            return;
        }
        String previous = history.getRfm();
        history.setRfm(score.segment());
        emit(history, "rfm|" + score.key(), now, RfmSegmentChanged.newBuilder().setRecencyScore(score.recency())
                .setFrequencyScore(score.frequency()).setMonetaryScore(score.monetary()).setSegment(score.segment()).setPreviousSegment(previous)
                .build());
    }

    /** The next order expected one interval (the buyer's own, or the merchant's typical) after the last; emitted when it moves. */
    private void predict(MemberHistory history, List<OrderFact> counted, long interval, boolean own, long now) {
        Long predicted = counted.isEmpty() ? null : counted.get(counted.size() - 1).getPaidAt() + interval;
        if (Objects.equals(predicted, history.getPredictedAt())) {
            return;
        }
        history.setPredictedAt(predicted);
        if (predicted != null) {
            long last = counted.get(counted.size() - 1).getPaidAt();
            long at = Math.max(Math.min(last, now), history.getPredictionAt() == null ? Long.MIN_VALUE : history.getPredictionAt() + 1);
            history.setPredictionAt(at);
            emit(history, "next|" + predicted + "|" + at, at, NextOrderPredicted.newBuilder().setPredictedAt(Instant.ofEpochMilli(predicted))
                    .setLastOrderAt(Instant.ofEpochMilli(counted.get(counted.size() - 1).getPaidAt()))
                    .setIntervalDays((double) interval / Duration.ofDays(1).toMillis()).setFromOwnHistory(own).build());
        }
    }

    /** A lifecycle event at {@code at}, its id derived from what it says, so a re-run or a replay emits the same id. */
    private void emit(MemberHistory history, String fact, long at, SpecificRecord payload) {
        String memberKey = history.getMerchantId() + ":" + history.getCustomerId();
        context().forward(new Record<>(memberKey, LifecycleEvent.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes((memberKey + "|" + fact).getBytes(StandardCharsets.UTF_8)).toString())
                .setOccurredAt(Instant.ofEpochMilli(at)).setMerchantId(history.getMerchantId()).setCustomerId(history.getCustomerId())
                .setPayload(payload).build(), context().currentSystemTimeMs())); // the record's time is when it was published
    }

}

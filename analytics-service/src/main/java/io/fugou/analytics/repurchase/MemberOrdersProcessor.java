package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MemberHistory;
import io.fugou.analytics.state.OrderFact;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.LifecycleStage;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.lifecycle.NextOrderPredicted;
import io.fugou.events.members.MemberEnrolled;
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

    private final ZoneId zone;
    private final Duration checkEvery;
    private final long defaultInterval;
    private KeyValueStore<String, MemberHistory> histories;
    private KeyValueStore<String, String> checks;
    private KeyValueStore<String, Long> rhythms;

    /**
     * @param defaultInterval the interval a buyer's rhythm is judged by while neither they nor the merchant have enough of their own
     */
    MemberOrdersProcessor(ZoneId zone, Duration checkEvery, Duration defaultInterval) {
        this.zone = zone;
        this.checkEvery = checkEvery;
        this.defaultInterval = defaultInterval.toMillis();
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        histories = context.getStateStore(ORDERS_STORE);
        checks = context.getStateStore(CHECKS_STORE);
        rhythms = context.getStateStore(MerchantFiguresProcessor.RHYTHM_STORE);
        context.schedule(checkEvery, PunctuationType.WALL_CLOCK_TIME, this::clockMoved);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        long now = context().currentSystemTimeMs();
        if (record.value() instanceof OrderEvent order) {
            String key = order.getMerchantId() + ":" + order.getCustomerId();
            MemberHistory history = histories.get(key);
            if (history == null) {
                history = MemberHistory.newBuilder().setMerchantId(order.getMerchantId()).setCustomerId(order.getCustomerId())
                        .setOrders(new ArrayList<>()).setReported(new HashMap<>()).build();
            }
            List<OrderFact> before = copy(history.getOrders());
            if (apply(history, order)) {
                update(key, history, before, history.getMemberSince() != null, now);
            }
        } else if (record.value() instanceof MemberEvent member) {
            String key = member.getMerchantId() + ":" + member.getCustomerId();
            if (member.getPayload() instanceof MemberErased) {
                erase(key, now);
            } else if (member.getPayload() instanceof MemberEnrolled) {
                MemberHistory history = histories.get(key);
                if (history == null) {
                    history = MemberHistory.newBuilder().setMerchantId(member.getMerchantId()).setCustomerId(member.getCustomerId())
                            .setOrders(new ArrayList<>()).setReported(new HashMap<>()).build();
                }
                if (history.getMemberSince() == null) {
                    history.setMemberSince(member.getOccurredAt().toEpochMilli());
                    update(key, history, history.getOrders(), false, now);
                }
            }
        }
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

    /** The order's fact, added (unpaid) when its refund or cancellation comes before it. */
    private static OrderFact fact(MemberHistory history, String orderId) {
        for (OrderFact fact : history.getOrders()) {
            if (orderId.equals(fact.getOrderId())) {
                return fact;
            }
        }
        OrderFact fact = OrderFact.newBuilder().setOrderId(orderId).setCategories(new ArrayList<>()).setRefundIds(new ArrayList<>()).build();
        List<OrderFact> orders = new ArrayList<>(history.getOrders());
        orders.add(fact);
        history.setOrders(orders);
        return fact;
    }

    /**
     * Reports how the buyer's part in the merchant's figures moved (from {@code before}, the orders as they were, for the
     * figures that do not move with the clock; from what was last reported, for those that do), re-indexes the next check,
     * emits the stage and the prediction when they moved, and stores the history.
     */
    private void update(String key, MemberHistory history, List<OrderFact> before, boolean wasMember, long now) {
        boolean residue = history.getCustomerId() == null;
        boolean member = history.getMemberSince() != null;
        List<OrderFact> was = Contributions.counted(before);
        List<OrderFact> is = Contributions.counted(history.getOrders());
        Map<String, Map<String, Long>> changes = new HashMap<>();

        Map<String, Map<String, Long>> monthsBefore = Contributions.months(was, wasMember, zone);
        Map<String, Map<String, Long>> monthsAfter = Contributions.months(is, member, zone);
        Set<String> months = new HashSet<>(monthsBefore.keySet());
        months.addAll(monthsAfter.keySet());
        for (String month : months) {
            moved(changes, month, Contributions.difference(monthsBefore.getOrDefault(month, Map.of()), monthsAfter.getOrDefault(month, Map.of())));
        }
        moved(changes, Contributions.COHORTS, Contributions.difference(Contributions.cohorts(was, zone), Contributions.cohorts(is, zone)));
        moved(changes, Contributions.NEXT_CATEGORY, Contributions.difference(Contributions.nextCategories(was), Contributions.nextCategories(is)));

        Long own = Contributions.ownInterval(is, OWN_INTERVALS);
        Long typical = rhythms.get(history.getMerchantId());
        long interval = own != null ? own : typical != null ? typical : defaultInterval;
        Map<String, Map<String, Long>> reported = new HashMap<>(history.getReported());
        for (Frequency.Window window : Frequency.Window.values()) {
            report(changes, reported, window.figure(), Contributions.period(is, now - window.millis() + 1, Long.MAX_VALUE, member, zone));
        }
        LifecycleStage stage = residue ? null : Contributions.stage(is, interval, now);
        report(changes, reported, Contributions.NOW, stage == null ? Map.of() : Map.of(Contributions.STAGE + stage.name(), 1L));
        history.setReported(reported);

        reschedule(key, history, is, residue ? null : Contributions.nextStageChange(is, interval, now), now);
        if (!residue) {
            stageMoved(history, stage, is, now);
            predict(history, is, interval, own != null, now);
        }
        if (residue && history.getNextCheck() == null) {
            histories.delete(key); // an erased member's residue that no longer counts anywhere
        } else {
            histories.put(key, history);
        }
        if (!changes.isEmpty()) {
            context().forward(new Record<>(history.getMerchantId(), new FigureChanges(history.getMerchantId(), changes), now));
        }
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

    /** Indexes the buyer's next move with the clock alone: an order leaving a rolling window, or the stage moving on. */
    private void reschedule(String key, MemberHistory history, List<OrderFact> counted, Long stageChange, long now) {
        Long next = stageChange;
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
        return String.format("%013d|%s", at, memberKey);
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
            update(entry.value, history, history.getOrders(), history.getMemberSince() != null, now);
        }
    }

    /**
     * The member's history goes (a tombstone in the changelog), and with it their place in the lifecycle funnel; the merchant's
     * totals stay. What still counts in a rolling window stays as an anonymous residue under a random key, so the windows lose
     * the member's orders when they should.
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
                .setMemberSince(history.getMemberSince()).setOrders(kept).setReported(history.getReported()).setNextCheck(null).build();
        // The figures that do not move with the clock were reported already and stay as they are (before = after).
        update("erased:" + UUID.randomUUID(), residue, kept, residue.getMemberSince() != null, now);
    }

    private void stageMoved(MemberHistory history, LifecycleStage stage, List<OrderFact> counted, long now) {
        String name = stage == null ? null : stage.name();
        if (Objects.equals(name, history.getStage())) {
            return;
        }
        LifecycleStage from = history.getStage() == null ? null : LifecycleStage.valueOf(history.getStage());
        history.setStage(name);
        if (stage != null) {
            emit(history, "stage|" + from + ">" + stage + "|" + now, now, MemberLifecycleChanged.newBuilder().setFromStage(from).setToStage(stage)
                    .setLastOrderAt(Instant.ofEpochMilli(counted.get(counted.size() - 1).getPaidAt())).setOrderCount(counted.size()).build());
        }
    }

    /** The next order expected one interval (the buyer's own, or the merchant's typical) after the last; emitted when it moves. */
    private void predict(MemberHistory history, List<OrderFact> counted, long interval, boolean own, long now) {
        Long predicted = counted.isEmpty() ? null : counted.get(counted.size() - 1).getPaidAt() + interval;
        if (Objects.equals(predicted, history.getPredictedAt())) {
            return;
        }
        history.setPredictedAt(predicted);
        if (predicted != null) {
            emit(history, "next|" + predicted, now, NextOrderPredicted.newBuilder().setPredictedAt(Instant.ofEpochMilli(predicted))
                    .setLastOrderAt(Instant.ofEpochMilli(counted.get(counted.size() - 1).getPaidAt()))
                    .setIntervalDays((double) interval / Duration.ofDays(1).toMillis()).setFromOwnHistory(own).build());
        }
    }

    /** A lifecycle event, its id derived from what it says, so a re-run after a crash emits the same id. */
    private void emit(MemberHistory history, String fact, long now, SpecificRecord payload) {
        String memberKey = history.getMerchantId() + ":" + history.getCustomerId();
        context().forward(new Record<>(memberKey, LifecycleEvent.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes((memberKey + "|" + fact).getBytes(StandardCharsets.UTF_8)).toString())
                .setOccurredAt(Instant.ofEpochMilli(now)).setMerchantId(history.getMerchantId()).setCustomerId(history.getCustomerId())
                .setPayload(payload).build(), now));
    }

    private static List<OrderFact> copy(List<OrderFact> orders) {
        List<OrderFact> copies = new ArrayList<>(orders.size());
        for (OrderFact fact : orders) {
            copies.add(OrderFact.newBuilder(fact).build());
        }
        return copies;
    }
}

package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.FigureChange;
import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MemberHistory;
import io.fugou.analytics.state.OrderFact;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.NextOrderPredicted;
import io.fugou.events.members.MemberErased;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
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
 * Each buyer's orders (keyed merchantId:customerId, as orders and member events are): keeps their history, and reports
 * to the merchant's figures whenever the buyer moves between frequency buckets of a rolling window or a calendar month.
 * Rolling windows end now (wall-clock time, Kafka Streams' own clock), so a buyer also moves when an order grows older
 * than a window: the time of the next such move is indexed in {@value #CHECKS_STORE}, and a punctuator works the index
 * off. Emits {@code NextOrderPredicted} when a buyer's predicted next order moves.
 */
final class MemberOrdersProcessor extends ContextualProcessor<String, SpecificRecord, String, SpecificRecord> {

    static final String ORDERS_STORE = "member-orders";
    static final String CHECKS_STORE = "member-checks";
    /** The fewest intervals of their own a buyer needs for a prediction of their own. */
    static final int OWN_INTERVALS = 2;
    private static final long DAY = Duration.ofDays(1).toMillis();

    private final ZoneId zone;
    private final Duration checkEvery;
    private KeyValueStore<String, MemberHistory> histories;
    private KeyValueStore<String, String> checks;

    MemberOrdersProcessor(ZoneId zone, Duration checkEvery) {
        this.zone = zone;
        this.checkEvery = checkEvery;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        histories = context.getStateStore(ORDERS_STORE);
        checks = context.getStateStore(CHECKS_STORE);
        context.schedule(checkEvery, PunctuationType.WALL_CLOCK_TIME, this::windowsMoved);
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
                update(key, history, before, now);
            }
        } else if (record.value() instanceof MemberEvent member && member.getPayload() instanceof MemberErased) {
            erase(member.getMerchantId() + ":" + member.getCustomerId(), now);
        }
    }

    /** Applies an order event to the history; false when it changes nothing (a duplicate, or an event analytics does not count). */
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
            return changed || fact.getPaidAt() == null;
        }
        return false; // fulfilment changes no figure
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

    /** Reports what moved, re-indexes the next check, predicts, and stores the history. */
    private void update(String key, MemberHistory history, List<OrderFact> before, long now) {
        List<FigureChange> changes = new ArrayList<>(monthChanges(before, history.getOrders()));
        changes.addAll(windowChanges(history, now));
        reschedule(key, history, now);
        if (history.getCustomerId() != null) {
            predict(history, now);
        }
        if (history.getCustomerId() == null && history.getNextCheck() == null) {
            histories.delete(key); // an erased member's residue that no longer counts anywhere
        } else {
            histories.put(key, history);
        }
        if (!changes.isEmpty()) {
            context().forward(new Record<>(history.getMerchantId(), new FigureChanges(history.getMerchantId(), changes), now));
        }
    }

    /** Buckets of the calendar months whose counted orders changed (months do not move with time). */
    private List<FigureChange> monthChanges(List<OrderFact> before, List<OrderFact> after) {
        Map<String, Integer> was = perMonth(before);
        Map<String, Integer> is = perMonth(after);
        List<FigureChange> changes = new ArrayList<>();
        TreeMap<String, Boolean> months = new TreeMap<>();
        was.keySet().forEach(month -> months.put(month, true));
        is.keySet().forEach(month -> months.put(month, true));
        for (String month : months.keySet()) {
            int from = Frequency.bucket(was.getOrDefault(month, 0));
            int to = Frequency.bucket(is.getOrDefault(month, 0));
            if (from != to) {
                changes.add(new FigureChange(month, from, to));
            }
        }
        return changes;
    }

    private Map<String, Integer> perMonth(List<OrderFact> orders) {
        Map<String, Integer> counts = new HashMap<>();
        for (OrderFact fact : orders) {
            if (counts(fact)) {
                counts.merge(YearMonth.from(Instant.ofEpochMilli(fact.getPaidAt()).atZone(zone)).toString(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The rolling windows whose bucket differs from the one last reported, now; the history records what is reported. */
    private static List<FigureChange> windowChanges(MemberHistory history, long now) {
        List<FigureChange> changes = new ArrayList<>();
        Map<String, Integer> reported = new HashMap<>(history.getReported());
        for (Frequency.Window window : Frequency.Window.values()) {
            int orders = 0;
            for (OrderFact fact : history.getOrders()) {
                if (counts(fact) && fact.getPaidAt() > now - window.millis()) {
                    orders++;
                }
            }
            int from = reported.getOrDefault(window.figure(), 0);
            int to = Frequency.bucket(orders);
            if (from != to) {
                changes.add(new FigureChange(window.figure(), from, to));
            }
            if (to == 0) {
                reported.remove(window.figure());
            } else {
                reported.put(window.figure(), to);
            }
        }
        history.setReported(reported);
        return changes;
    }

    /** Indexes when the next counted order leaves a rolling window (none: nothing left to leave). */
    private void reschedule(String key, MemberHistory history, long now) {
        Long next = null;
        for (OrderFact fact : history.getOrders()) {
            if (counts(fact)) {
                for (Frequency.Window window : Frequency.Window.values()) {
                    long leaves = fact.getPaidAt() + window.millis();
                    if (leaves > now && (next == null || leaves < next)) {
                        next = leaves;
                    }
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

    /** Buyers whose orders left a window since the last look: their buckets move now. */
    private void windowsMoved(long now) {
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
            update(entry.value, history, history.getOrders(), now);
        }
    }

    /**
     * The member's history goes (a tombstone in the changelog); the merchant's totals stay. What still counts in a rolling
     * window stays as an anonymous residue, under a random key, so the windows lose the member's orders when they should.
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
        List<OrderFact> counted = new ArrayList<>();
        for (OrderFact fact : history.getOrders()) {
            if (counts(fact) && fact.getPaidAt() > now - Frequency.Window.D365.millis()) {
                counted.add(OrderFact.newBuilder().setPaidAt(fact.getPaidAt()).setCategories(List.of()).setRefundIds(List.of()).build());
            }
        }
        if (!counted.isEmpty()) {
            MemberHistory residue = MemberHistory.newBuilder().setMerchantId(history.getMerchantId()).setCustomerId(null)
                    .setOrders(counted).setReported(history.getReported()).setNextCheck(null).build();
            // Its months were reported already and stay as they are: only the rolling windows still move.
            update("erased:" + UUID.randomUUID(), residue, counted, now);
        }
    }

    /**
     * The next order predicted from the buyer's own rhythm (the median of their intervals, with at least {@value #OWN_INTERVALS}
     * of them), emitted when it moves.
     */
    private void predict(MemberHistory history, long now) {
        List<Long> paid = history.getOrders().stream().filter(MemberOrdersProcessor::counts).map(OrderFact::getPaidAt).sorted().toList();
        Long predicted = null;
        double intervalDays = 0;
        if (paid.size() > OWN_INTERVALS) {
            List<Long> intervals = new ArrayList<>();
            for (int i = 1; i < paid.size(); i++) {
                intervals.add(paid.get(i) - paid.get(i - 1));
            }
            long median = MemberFigures.median(intervals);
            intervalDays = (double) median / DAY;
            predicted = paid.get(paid.size() - 1) + median;
        }
        if (Objects.equals(predicted, history.getPredictedAt())) {
            return;
        }
        history.setPredictedAt(predicted);
        if (predicted != null) {
            String memberKey = history.getMerchantId() + ":" + history.getCustomerId();
            LifecycleEvent event = LifecycleEvent.newBuilder()
                    .setEventId(UUID.nameUUIDFromBytes((memberKey + "|next|" + predicted).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
                    .setOccurredAt(Instant.ofEpochMilli(now)).setMerchantId(history.getMerchantId()).setCustomerId(history.getCustomerId())
                    .setPayload(NextOrderPredicted.newBuilder().setPredictedAt(Instant.ofEpochMilli(predicted))
                            .setLastOrderAt(Instant.ofEpochMilli(paid.get(paid.size() - 1))).setIntervalDays(intervalDays).setFromOwnHistory(true).build())
                    .build();
            context().forward(new Record<>(memberKey, event, now));
        }
    }

    /** A paid order not refunded in full nor cancelled. */
    static boolean counts(OrderFact fact) {
        return fact.getPaidAt() != null && !fact.getVoided();
    }

    private static List<OrderFact> copy(List<OrderFact> orders) {
        List<OrderFact> copies = new ArrayList<>(orders.size());
        for (OrderFact fact : orders) {
            copies.add(OrderFact.newBuilder(fact).build());
        }
        return copies;
    }
}

package io.fugou.platform.pipeline;

import io.fugou.events.Topic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * How a service consumes one topic: one {@link EventHandler} per event type, and the types it
 * deliberately skips. Declare it as a bean; the platform runs it (batches, one database transaction
 * per batch, its events and offsets in one Kafka transaction, dead letters for what cannot be
 * processed). Every event type of the topic's contract must be handled or skipped, or the service
 * refuses to start naming the ones left out: adding an event type to a contract shows every service
 * that must decide about it.
 *
 * <pre>{@code
 * @Bean
 * EventPipeline<OrderEvent> orderEvents(PaidOrderHandler paid) {
 *     return EventPipeline.consume("loyalty-orders", Topics.ORDERS)
 *             .handle(OrderPaid.class, paid)
 *             .skip(OrderRefunded.class, "clawback comes with the ledger")
 *             .publishesTo(Topics.POINTS)
 *             .build();
 * }
 * }</pre>
 */
public final class EventPipeline<E extends SpecificRecord> {

    private final String name;
    private final Topic<E> topic;
    private final String group;
    private final Map<Class<?>, EventHandler<?>> handlers;
    private final Map<Class<?>, String> skipped;
    private final List<Topic<?>> outputs;
    private final boolean relaysOutbox;

    private EventPipeline(Builder<E> builder) {
        this.name = builder.name;
        this.topic = builder.topic;
        this.group = builder.group;
        this.handlers = Map.copyOf(builder.handlers);
        this.skipped = Map.copyOf(builder.skipped);
        this.outputs = List.copyOf(builder.outputs);
        this.relaysOutbox = builder.relaysOutbox;
    }

    public static <E extends SpecificRecord> Builder<E> consume(String name, Topic<E> topic) {
        return new Builder<>(name, topic);
    }

    public String name() {
        return name;
    }

    public Topic<E> topic() {
        return topic;
    }

    /** The consumer group, or null for the service's own ({@code spring.kafka.consumer.group-id}). */
    public String group() {
        return group;
    }

    public List<Topic<?>> outputs() {
        return outputs;
    }

    /** Whether this pipeline's consumers also publish the service's {@link Outbox}. */
    public boolean relaysOutbox() {
        return relaysOutbox;
    }

    /** The handler of a payload's type, or null when the type is skipped. */
    @SuppressWarnings("unchecked")
    <P extends SpecificRecord> EventHandler<P> handlerFor(Class<?> payloadType) {
        return (EventHandler<P>) handlers.get(payloadType);
    }

    boolean skips(Class<?> payloadType) {
        return skipped.containsKey(payloadType);
    }

    public static final class Builder<E extends SpecificRecord> {
        private final String name;
        private final Topic<E> topic;
        private String group;
        private final Map<Class<?>, EventHandler<?>> handlers = new LinkedHashMap<>();
        private final Map<Class<?>, String> skipped = new LinkedHashMap<>();
        private final Set<Topic<?>> outputs = new LinkedHashSet<>();
        private boolean relaysOutbox;

        private Builder(String name, Topic<E> topic) {
            this.name = name;
            this.topic = topic;
        }

        public <P extends SpecificRecord> Builder<E> handle(Class<P> type, EventHandler<P> handler) {
            handlers.put(type, handler);
            return this;
        }

        /** Skips an event type on purpose; the reason is for the reader of the code and the start-up log. */
        public Builder<E> skip(Class<? extends SpecificRecord> type, String why) {
            skipped.put(type, why);
            return this;
        }

        public Builder<E> group(String group) {
            this.group = group;
            return this;
        }

        /** The topics the handlers publish to (provisioned from their contracts at start). */
        public Builder<E> publishesTo(Topic<?>... topics) {
            outputs.addAll(List.of(topics));
            return this;
        }

        /**
         * Makes this pipeline's consumers the relay of the service's {@link Outbox} (the events of HTTP requests
         * and scheduled jobs): the consumer that owns partition p of this topic publishes the outbox rows of the
         * members whose key falls in partition p, in the same Kafka transactions as its batches, so one member's
         * events from both sources come out in the order the database applied them. One pipeline per service.
         */
        public Builder<E> relaysOutbox() {
            this.relaysOutbox = true;
            return this;
        }

        /** Refuses a pipeline that leaves an event type of its topic undecided, or names a type the topic does not carry. */
        public EventPipeline<E> build() {
            Set<String> contractTypes = payloadTypes(topic);
            Set<String> decided = new LinkedHashSet<>();
            List<String> problems = new ArrayList<>();
            for (Class<?> type : concat(handlers.keySet(), skipped.keySet())) {
                if (!contractTypes.contains(type.getName())) {
                    problems.add(type.getName() + " is not an event type of " + topic.name());
                }
                if (!decided.add(type.getName())) {
                    problems.add(type.getSimpleName() + " is both handled and skipped");
                }
            }
            List<String> undecided = contractTypes.stream().filter(type -> !decided.contains(type)).toList();
            if (!undecided.isEmpty()) {
                problems.add("neither handles nor skips " + undecided.stream().map(type -> type.substring(type.lastIndexOf('.') + 1))
                        .collect(Collectors.joining(", ")) + " (handle(...) or skip(..., why))");
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("Pipeline '" + name + "' on " + topic.name() + ": " + String.join("; ", problems));
            }
            return new EventPipeline<>(this);
        }

        private static List<Class<?>> concat(Set<Class<?>> first, Set<Class<?>> second) {
            List<Class<?>> all = new ArrayList<>(first);
            all.addAll(second);
            return all;
        }

        private static Set<String> payloadTypes(Topic<?> topic) {
            Schema.Field payload = topic.valueSchema().getField("payload");
            if (payload == null || payload.schema().getType() != Schema.Type.UNION) {
                throw new IllegalStateException(topic.name() + " has no payload union: the pipeline reads envelopes");
            }
            Set<String> types = new LinkedHashSet<>();
            for (Schema branch : payload.schema().getTypes()) {
                if (branch.getType() == Schema.Type.RECORD) {
                    types.add(branch.getFullName());
                }
            }
            return types;
        }
    }
}

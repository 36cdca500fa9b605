package io.fugou.kitdemo;

import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.SourcePosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The kit's way: a batch in one database transaction, its events and offsets in one Kafka transaction. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "kit-demo.mode", havingValue = "pipeline", matchIfMissing = true)
class DemoPipeline {

    @Bean
    EventPipeline<OrderEvent> demoOrders(KitDemoApplication.DemoTopics topics, DemoEntries entries) {
        EventHandler<OrderPaid> paid = events -> {
            List<DemoEntries.Entry> batch = events.stream().map(DemoEntries.Entry::of).toList();
            return entries.insertNew(batch).collect(HashSet<SourcePosition>::new, HashSet::add).flatMap(created -> {
                List<DemoEntries.Entry> fresh = new ArrayList<>();
                List<DemoEntries.Entry> seenBefore = new ArrayList<>();
                batch.forEach(entry -> (created.contains(entry.source()) ? fresh : seenBefore).add(entry));
                return entries.storedBy(seenBefore).collectList().map(rebuilt -> {
                    List<DemoEntries.Entry> all = new ArrayList<>(fresh);
                    all.addAll(rebuilt);
                    all.sort(Comparator.comparing((DemoEntries.Entry e) -> e.source().partition()).thenComparing(e -> e.source().offset()));
                    return all.stream().map(entry -> Outbound.of(topics.output(), entry.event(topics.output()))).toList();
                });
            });
        };
        return EventPipeline.consume("kit-demo", topics.input())
                .handle(OrderPaid.class, paid)
                .skip(OrderRefunded.class, "the demo only earns")
                .skip(OrderCancelled.class, "the demo only earns")
                .skip(OrderFulfilled.class, "the demo only earns")
                .publishesTo(topics.output())
                .build();
    }

}

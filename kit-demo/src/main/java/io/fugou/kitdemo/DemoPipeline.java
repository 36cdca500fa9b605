package io.fugou.kitdemo;

import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.SourcePosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/**
 * The kit's way: a batch in one database transaction, its events and offsets in one Kafka transaction;
 * each member's events numbered; the outbox of {@link Adjustments} relayed by the same consumers.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "kit-demo.mode", havingValue = "pipeline", matchIfMissing = true)
class DemoPipeline {

    @Bean
    EventPipeline<OrderEvent> demoOrders(KitDemoApplication.DemoTopics topics, DemoEntries entries, MemberSequences sequences) {
        EventHandler<OrderPaid> paid = events -> {
            List<DemoEntries.Entry> batch = events.stream().map(DemoEntries.Entry::of).toList();
            return entries.insertNew(batch).collect(HashSet<SourcePosition>::new, HashSet::add).flatMap(created -> {
                List<DemoEntries.Entry> fresh = new ArrayList<>();
                List<DemoEntries.Entry> seenBefore = new ArrayList<>();
                batch.forEach(entry -> (created.contains(entry.source()) ? fresh : seenBefore).add(entry));
                Mono<List<DemoEntries.Entry>> numbered = sequences.next(topics.output().name(), fresh.stream().map(DemoEntries.Entry::member).toList())
                        .flatMap(numbers -> {
                            List<DemoEntries.Entry> withNumbers = new ArrayList<>();
                            for (int i = 0; i < fresh.size(); i++) {
                                withNumbers.add(fresh.get(i).numbered(numbers.get(i)));
                            }
                            return entries.number(withNumbers).thenReturn(withNumbers);
                        });
                return numbered.zipWith(entries.storedBy(seenBefore).collectList(), (newOnes, rebuilt) -> {
                    List<DemoEntries.Entry> all = new ArrayList<>(newOnes);
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
                .relaysOutbox()
                .build();
    }

}

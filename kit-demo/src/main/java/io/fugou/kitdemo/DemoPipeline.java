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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
        // Numbered before they are inserted, so each row is written once: the entries already stored are read first,
        // the rest numbered and inserted. Should another writer insert one of them meanwhile (a consumer that lost the
        // partition and has not noticed yet), the insert comes up short and the batch fails whole, its numbers with
        // it, so no number is ever skipped; the pipeline then applies the records one by one.
        EventHandler<OrderPaid> paid = events -> {
            List<DemoEntries.Entry> batch = events.stream().map(DemoEntries.Entry::of).toList();
            return entries.stored(batch).flatMap(stored -> {
                List<DemoEntries.Entry> fresh = new ArrayList<>();
                List<DemoEntries.Entry> seenBefore = new ArrayList<>();
                Set<String> taken = new HashSet<>(stored);
                for (DemoEntries.Entry entry : batch) {
                    if (taken.add(entry.key())) {
                        fresh.add(entry);
                    } else if (stored.contains(entry.key())) {
                        seenBefore.add(entry); // its event again if this very record stored it (rebuilt below)
                    } // else the shop sent it twice within this batch: the first one counts
                }
                Mono<List<DemoEntries.Entry>> inserted = sequences.next(topics.output().name(), fresh.stream().map(DemoEntries.Entry::member).toList())
                        .flatMap(numbers -> {
                            List<DemoEntries.Entry> numbered = new ArrayList<>();
                            for (int i = 0; i < fresh.size(); i++) {
                                numbered.add(fresh.get(i).numbered(numbers.get(i)));
                            }
                            return entries.insertNumbered(numbered).flatMap(rows -> rows == numbered.size() ? Mono.just(numbered)
                                    : Mono.error(new IllegalStateException("another writer stored " + (numbered.size() - rows)
                                            + " of these entries meanwhile; the batch is applied again")));
                        });
                return inserted.zipWith(entries.storedBy(seenBefore).collectList(), (newOnes, rebuilt) -> {
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

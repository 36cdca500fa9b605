package io.fugou.kitdemo;

import io.fugou.events.MemberKey;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.pipeline.SourcePosition;
import io.fugou.platform.web.InvalidFieldException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * The demo's change made over HTTP, as an operator's correction is: the entry, its number in the
 * member's stream and its event in the outbox, in one transaction (the Idempotency-Key's when the
 * request has one), so the crash test can mix HTTP changes with orders on the same members.
 */
@RestController
@ConditionalOnProperty(name = "kit-demo.mode", havingValue = "pipeline", matchIfMissing = true)
class Adjustments {

    record AdjustmentRequest(String customerId, String entryId, Long points) {
    }

    record AdjustmentResponse(String entryId, long sequence) {
    }

    private final DemoEntries entries;
    private final MemberSequences sequences;
    private final Outbox outbox;
    private final KitDemoApplication.DemoTopics topics;
    private final TransactionalOperator transactional;
    private final Clock clock;

    Adjustments(DemoEntries entries, MemberSequences sequences, Outbox outbox, KitDemoApplication.DemoTopics topics,
                ReactiveTransactionManager transactions, Clock clock) {
        this.entries = entries;
        this.sequences = sequences;
        this.outbox = outbox;
        this.topics = topics;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    @PostMapping("/adjustments")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<AdjustmentResponse> adjust(MerchantId merchant, @RequestBody AdjustmentRequest request) {
        if (request.customerId() == null || request.customerId().isBlank()) {
            throw new InvalidFieldException("customerId", "must name the member");
        }
        if (request.entryId() == null || request.entryId().isBlank()) {
            throw new InvalidFieldException("entryId", "must name the entry, so a retry cannot apply it twice");
        }
        if (request.points() == null) {
            throw new InvalidFieldException("points", "must be a whole number of points");
        }
        MemberKey member = new MemberKey(merchant.value(), request.customerId());
        return sequences.next(topics.output().name(), List.of(member)).flatMap(numbers -> {
            DemoEntries.Entry entry = new DemoEntries.Entry(member, request.entryId(), request.points(),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS), new SourcePosition("http", -1, -1), numbers.get(0));
            return entries.insertNumbered(List.of(entry)).flatMap(inserted -> inserted == 1
                    ? outbox.append(List.of(Outbound.of(topics.output(), entry.event(topics.output()))))
                            .thenReturn(new AdjustmentResponse(entry.orderId(), entry.sequence()))
                    : Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "Entry " + request.entryId() + " exists already.")));
        }).as(transactional::transactional);
    }
}

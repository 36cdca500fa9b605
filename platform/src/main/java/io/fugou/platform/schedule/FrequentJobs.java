package io.fugou.platform.schedule;

import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Runs every {@link FrequentJob} once, each in its own transaction; one that fails is logged and left for the next check. */
public class FrequentJobs {

    private static final Logger log = LoggerFactory.getLogger(FrequentJobs.class);

    private final TransactionalOperator transactional;
    private final List<FrequentJob> jobs;
    private final Clock clock;

    public FrequentJobs(ReactiveTransactionManager transactions, List<FrequentJob> jobs, Clock clock) {
        this.transactional = TransactionalOperator.create(transactions);
        this.jobs = List.copyOf(jobs);
        this.clock = clock;
    }

    public Mono<Void> runAll() {
        return Flux.fromIterable(jobs)
                .concatMap(job -> transactional.transactional(Mono.defer(() -> job.run(clock.instant())))
                        .onErrorResume(failure -> {
                            log.warn("Job {} failed; tried again at the next check", job.name(), failure);
                            return Mono.empty();
                        }))
                .then();
    }
}

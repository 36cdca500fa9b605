package io.fugou.platform.schedule;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs every {@link FrequentJob}, each run in its own transaction, again while it has more due; one that fails is logged and
 * left for the next check.
 */
public class FrequentJobs {

    private static final Logger log = LoggerFactory.getLogger(FrequentJobs.class);
    /** How long one check works off a backlog (wall time) before leaving the rest to the next. */
    private static final Duration BACKLOG_BUDGET = Duration.ofMinutes(1);

    private final TransactionalOperator transactional;
    private final List<FrequentJob> jobs;
    private final Clock clock;

    public FrequentJobs(ReactiveTransactionManager transactions, List<FrequentJob> jobs, Clock clock) {
        this.transactional = TransactionalOperator.create(transactions);
        this.jobs = List.copyOf(jobs);
        this.clock = clock;
    }

    public Mono<Void> runAll() {
        long until = System.nanoTime() + BACKLOG_BUDGET.toNanos();
        return Flux.fromIterable(jobs).concatMap(job -> runWhileDue(job, until)).then();
    }

    /** Runs the job again, each run its own transaction, while it says more is due and the check's time lasts. */
    private Mono<Void> runWhileDue(FrequentJob job, long until) {
        return transactional.transactional(Mono.defer(() -> job.run(clock.instant())))
                .defaultIfEmpty(false)
                .onErrorResume(failure -> {
                    log.warn("Job {} failed; tried again at the next check", job.name(), failure);
                    return Mono.just(false);
                })
                .flatMap(moreDue -> moreDue && System.nanoTime() < until ? runWhileDue(job, until) : Mono.empty());
    }
}

package io.fugou.platform.schedule;

import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Work that falls due as time passes, not once a day: a nudge N hours after a cart was left, say. Declare it as a bean;
 * the platform runs it at every check ({@code fugou.schedule.check-interval}, a minute by default), on one instance of
 * the service at a time, each run in its own database transaction ({@link FrequentJobs}). A run takes what is due by
 * {@code now} from the job's own rows, so running it twice, or after a failed run, does nothing twice.
 */
public interface FrequentJob {

    /** Stable name, for logs. */
    String name();

    /**
     * Does what is due by {@code now}, in a database transaction: if it fails, nothing of it stays and the next check tries
     * again. Emits true when more was due than one run takes: the platform then runs it again at once, in a new transaction
     * (for up to a minute a check), so a backlog is worked off in bounded transactions rather than a run per minute.
     */
    Mono<Boolean> run(Instant now);
}

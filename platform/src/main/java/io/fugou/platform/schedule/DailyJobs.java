package io.fugou.platform.schedule;

import io.fugou.platform.config.PlatformTable;
import java.time.Clock;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs each {@link DailyJob} once per merchant and local day. A check (every minute, from the cluster-wide
 * scheduler) runs every job that is due: for each merchant, the latest day whose {@link DailyJob#at()} has
 * passed in the merchant's zone, if that day has not run yet. A run claims its (job, merchant, day) row in
 * {@code fugou_daily_run} in the same transaction as its work, so two checks racing (two instances, or a
 * check outliving its lock) cannot both run it, and a failed run leaves no claim and is retried. A day
 * missed while every instance was down is not made up beyond the latest one: a job that must not skip
 * days looks at what it has done, not at the date it is given.
 */
public class DailyJobs {

    private static final Logger log = LoggerFactory.getLogger(DailyJobs.class);
    private static final Period KEPT = Period.ofDays(400);

    private final DatabaseClient db;
    private final TransactionalOperator transactional;
    private final List<DailyJob> jobs;
    private final MerchantCalendar calendar;
    private final Clock clock;
    private final PlatformTable table;
    private volatile LocalDate lastForgotten;

    public DailyJobs(DatabaseClient db, ReactiveTransactionManager transactions, List<DailyJob> jobs, MerchantCalendar calendar, Clock clock) {
        this.db = db;
        this.table = new PlatformTable(db, "fugou_daily_run", """
                create table if not exists fugou_daily_run (
                    job         text        not null,
                    merchant_id text        not null,
                    day         date        not null,
                    ran_at      timestamptz not null,
                    primary key (job, merchant_id, day));""");
        this.transactional = TransactionalOperator.create(transactions);
        this.jobs = List.copyOf(jobs);
        this.calendar = calendar;
        this.clock = clock;
    }

    /** Runs what is due now; emits how many (job, merchant) runs were made. A failed run is logged and left for the next check. */
    public Mono<Long> runDue() {
        return table.ensure().then(forgetOldRuns()).thenMany(calendar.merchants())
                .concatMap(merchant -> Flux.fromIterable(jobs).concatMap(job -> runIfDue(job, merchant)))
                .filter(ran -> ran)
                .count();
    }

    /** Runs are remembered for {@link #KEPT} (only the latest due day is ever looked up); once a day the older ones go. */
    private Mono<Void> forgetOldRuns() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (today.equals(lastForgotten)) {
            return Mono.empty();
        }
        return db.sql("delete from fugou_daily_run where day < :oldest").bind("oldest", today.minus(KEPT))
                .fetch().rowsUpdated()
                .doOnSuccess(deleted -> lastForgotten = today)
                .then();
    }

    private Mono<Boolean> runIfDue(DailyJob job, MerchantCalendar.MerchantZone merchant) {
        ZonedDateTime now = clock.instant().atZone(merchant.zone());
        LocalDate day = now.toLocalTime().isBefore(job.at()) ? now.toLocalDate().minusDays(1) : now.toLocalDate();
        Mono<Boolean> claimAndRun = db.sql("""
                        insert into fugou_daily_run (job, merchant_id, day, ran_at) values (:job, :merchant, :day, :ranAt)
                        on conflict (job, merchant_id, day) do nothing""")
                .bind("job", job.name()).bind("merchant", merchant.merchant().value()).bind("day", day)
                .bind("ranAt", clock.instant().atOffset(ZoneOffset.UTC))
                .fetch().rowsUpdated()
                .flatMap(claimed -> claimed == 0 ? Mono.just(false) : job.run(merchant.merchant(), day).thenReturn(true));
        return transactional.transactional(claimAndRun)
                .onErrorResume(failure -> {
                    log.warn("Daily job {} failed for merchant {} on {}; tried again at the next check", job.name(),
                            merchant.merchant().value(), day, failure);
                    return Mono.just(false);
                });
    }
}

package io.fugou.platform.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.platform.PlatformIntegrationTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import reactor.core.publisher.Mono;

/**
 * Frequent jobs take what is due from their own rows, each run in its own transaction: a backlog is worked off run after
 * run in one check, and a run that fails keeps nothing of what it did, to be done at the next check.
 */
@PlatformIntegrationTest
class FrequentJobsIT {

    @Autowired
    private DatabaseClient db;

    @Autowired
    private ReactiveTransactionManager transactions;

    @Test
    void shouldWorkOffABacklogRunAfterRunAndKeepNothingOfAFailedRun() {
        String table = "due_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        db.sql("create table " + table + " (id int primary key)").then().block();
        db.sql("insert into " + table + " select generate_series(1, 25)").then().block();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger failuresLeft = new AtomicInteger(1);
        FrequentJob takesTen = new FrequentJob() {
            @Override
            public String name() {
                return "test.takes-ten";
            }

            @Override
            public Mono<Boolean> run(Instant now) {
                runs.incrementAndGet();
                // Takes up to ten due rows; the first run fails after taking them, as a crash would.
                return db.sql("delete from " + table + " where id in (select id from " + table + " order by id limit 10 for update skip locked)")
                        .fetch().rowsUpdated()
                        .flatMap(taken -> failuresLeft.getAndDecrement() > 0 ? Mono.error(new IllegalStateException("failed mid-run (simulated)"))
                                : Mono.just(taken == 10));
            }
        };
        FrequentJobs jobs = new FrequentJobs(transactions, List.of(takesTen), Clock.fixed(Instant.parse("2026-11-29T10:00:00Z"), ZoneOffset.UTC));

        jobs.runAll().block();
        assertThat(runs.get()).as("a failed run is not repeated in the same check").isEqualTo(1);
        assertThat(remaining(table)).as("nothing of the failed run stays").isEqualTo(25);

        jobs.runAll().block();
        assertThat(runs.get()).as("runs in the next check: 10, 10, then 5 and nothing more due").isEqualTo(4);
        assertThat(remaining(table)).isZero();
    }

    private long remaining(String table) {
        return db.sql("select count(*) from " + table).map((row, meta) -> ((Number) row.get(0)).longValue()).one().block();
    }
}

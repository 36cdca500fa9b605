package io.fugou.platform.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.platform.PlatformIntegrationTest;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.testapp.DailyTally;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Daily jobs run once per merchant and local day, in each merchant's zone, and the cluster scheduler calls them by itself. */
@PlatformIntegrationTest
class DailyJobsIT {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");

    @Autowired
    private DatabaseClient db;

    @Autowired
    private ReactiveTransactionManager transactions;

    @Autowired
    private DailyTally tally;

    @Test
    void shouldRunEachJobOncePerMerchantAndLocalDayWhenItsTimeHasComeInTheMerchantsZone() {
        Recorder job = new Recorder(LocalTime.of(3, 0));
        MerchantId shanghai = merchant();
        MerchantId losAngeles = merchant();
        TestClock clock = new TestClock(Instant.parse("2026-03-10T18:30:00Z")); // 02:30 on the 11th in Shanghai, 11:30 on the 10th in LA
        DailyJobs jobs = new DailyJobs(db, transactions, List.of(job), calendar(shanghai, SHANGHAI, losAngeles, LOS_ANGELES), clock);

        jobs.runDue().block();
        jobs.runDue().block();
        assertThat(job.runs()).as("the latest day whose 03:00 has passed, once").containsExactlyInAnyOrder(
                shanghai.value() + " 2026-03-10", losAngeles.value() + " 2026-03-10");

        clock.set(Instant.parse("2026-03-10T19:30:00Z")); // 03:30 in Shanghai
        jobs.runDue().block();
        assertThat(job.runs()).hasSize(3).contains(shanghai.value() + " 2026-03-11");

        clock.set(Instant.parse("2026-03-11T09:59:00Z")); // 02:59 in LA (daylight time since the 8th)
        jobs.runDue().block();
        assertThat(job.runs()).hasSize(3);
        clock.set(Instant.parse("2026-03-11T10:00:00Z")); // 03:00 in LA
        jobs.runDue().block();
        assertThat(job.runs()).hasSize(4).contains(losAngeles.value() + " 2026-03-11");
    }

    @Test
    void shouldRunADayOnceWhenTwoInstancesCheckAtOnce() {
        Recorder job = new Recorder(LocalTime.of(3, 0));
        MerchantId merchant = merchant();
        TestClock clock = new TestClock(Instant.parse("2026-05-01T20:00:00Z"));
        MerchantCalendar calendar = calendar(merchant, SHANGHAI);
        DailyJobs first = new DailyJobs(db, transactions, List.of(job), calendar, clock);
        DailyJobs second = new DailyJobs(db, transactions, List.of(job), calendar, clock);

        Flux.merge(first.runDue(), second.runDue(), first.runDue(), second.runDue()).blockLast();

        assertThat(job.runs()).containsExactly(merchant.value() + " 2026-05-02");
    }

    @Test
    void shouldKeepNothingOfAFailedRunAndRunItAgainAtTheNextCheck() {
        Recorder job = new Recorder(LocalTime.of(3, 0));
        MerchantId merchant = merchant();
        job.failNext.add(merchant.value());
        TestClock clock = new TestClock(Instant.parse("2026-05-01T20:00:00Z"));
        DailyJobs jobs = new DailyJobs(db, transactions, List.of(job), calendar(merchant, SHANGHAI), clock);

        assertThat(jobs.runDue().block()).isZero();
        assertThat(jobs.runDue().block()).isEqualTo(1L);

        assertThat(job.runs()).containsExactly(merchant.value() + " 2026-05-02");
    }

    @Test
    void shouldForgetRunsOlderThanAboutAYear() {
        Recorder job = new Recorder(LocalTime.of(3, 0));
        MerchantId merchant = merchant();
        TestClock clock = new TestClock(Instant.parse("2026-05-01T20:00:00Z"));
        DailyJobs jobs = new DailyJobs(db, transactions, List.of(job), calendar(merchant, SHANGHAI), clock);
        jobs.runDue().block();
        assertThat(runsRemembered(job)).isEqualTo(1);

        clock.set(Instant.parse("2027-06-10T20:00:00Z"));
        jobs.runDue().block();

        assertThat(runsRemembered(job)).as("only the new day's run").isEqualTo(1);
        assertThat(job.runs()).containsExactly(merchant.value() + " 2026-05-02", merchant.value() + " 2027-06-11");
    }

    private long runsRemembered(DailyJob job) {
        return db.sql("select count(*) as n from fugou_daily_run where job = :job").bind("job", job.name())
                .map((row, meta) -> row.get("n", Long.class)).one().block();
    }

    @Test
    void shouldBeCalledByTheClusterSchedulerWithoutAnyoneAsking() {
        String today = DailyTally.MERCHANT.value() + " " + LocalDate.now(SHANGHAI);
        await().atMost(Duration.ofSeconds(60)).until(() -> tally.runs().contains(today));
        assertThat(tally.runs()).containsOnlyOnce(today);
    }

    private static MerchantId merchant() {
        return new MerchantId("daily-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private static MerchantCalendar calendar(Object... merchantsAndZones) {
        List<MerchantCalendar.MerchantZone> zones = new java.util.ArrayList<>();
        for (int i = 0; i < merchantsAndZones.length; i += 2) {
            zones.add(new MerchantCalendar.MerchantZone((MerchantId) merchantsAndZones[i], (ZoneId) merchantsAndZones[i + 1]));
        }
        return () -> Flux.fromIterable(zones);
    }

    /** Records its runs; fails once for the merchants named in {@code failNext}. Its name is new per test. */
    private static final class Recorder implements DailyJob {
        private final String name = "test-" + UUID.randomUUID();
        private final LocalTime at;
        private final List<String> runs = new CopyOnWriteArrayList<>();
        private final Set<String> failNext = ConcurrentHashMap.newKeySet();

        Recorder(LocalTime at) {
            this.at = at;
        }

        List<String> runs() {
            return List.copyOf(runs);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public LocalTime at() {
            return at;
        }

        @Override
        public Mono<Void> run(MerchantId merchant, LocalDate day) {
            return Mono.defer(() -> {
                if (failNext.remove(merchant.value())) {
                    return Mono.error(new IllegalStateException("simulated failure"));
                }
                runs.add(merchant.value() + " " + day);
                return Mono.empty();
            });
        }
    }

    /** A clock the test sets. */
    private static final class TestClock extends Clock {
        private final AtomicReference<Instant> now;

        TestClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void set(Instant instant) {
            now.set(instant);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}

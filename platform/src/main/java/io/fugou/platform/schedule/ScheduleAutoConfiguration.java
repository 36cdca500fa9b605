package io.fugou.platform.schedule;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import reactor.core.publisher.Flux;

/**
 * Runs the service's {@link DailyJob}s and {@link FrequentJob}s: {@link DailyJobs} checks what is due, then
 * {@link FrequentJobs} runs the frequent ones, and db-scheduler calls that check every
 * {@code fugou.schedule.check-interval} on one instance of the service at a time (its {@code scheduled_tasks} row is the
 * cluster-wide lock; an instance that dies holding it is detected by its missed heartbeats and another runs the check).
 */
@AutoConfiguration
@Conditional(ScheduleAutoConfiguration.JobsDeclared.class)
@EnableConfigurationProperties(ScheduleProperties.class)
public class ScheduleAutoConfiguration {

    /** A service with jobs of either kind. */
    static final class JobsDeclared extends AnyNestedCondition {

        JobsDeclared() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(DailyJob.class)
        static final class Daily {
        }

        @ConditionalOnBean(FrequentJob.class)
        static final class Frequent {
        }
    }

    static final String CHECK_TASK = "fugou-daily-jobs";

    @Bean
    DailyJobs dailyJobs(DatabaseClient db, ReactiveTransactionManager transactions, List<DailyJob> jobs,
                        ObjectProvider<MerchantCalendar> calendar, Clock clock) {
        MerchantCalendar merchants = jobs.isEmpty() ? Flux::empty : calendar.getIfAvailable(() -> {
            throw new IllegalStateException("daily jobs " + jobs.stream().map(DailyJob::name).toList()
                    + " need a MerchantCalendar bean: the merchants to run them for, and each one's time zone");
        });
        return new DailyJobs(db, transactions, jobs, merchants, clock);
    }

    @Bean
    FrequentJobs frequentJobs(ReactiveTransactionManager transactions, List<FrequentJob> jobs, Clock clock) {
        return new FrequentJobs(transactions, jobs, clock);
    }

    @Bean
    ClusterScheduler clusterScheduler(DailyJobs dailyJobs, FrequentJobs frequentJobs, ScheduleProperties properties) {
        return new ClusterScheduler(dailyJobs, frequentJobs, properties);
    }

    /** db-scheduler, started and stopped with the context. */
    static final class ClusterScheduler implements SmartLifecycle {
        private final DailyJobs dailyJobs;
        private final FrequentJobs frequentJobs;
        private final ScheduleProperties properties;
        private Scheduler scheduler;

        ClusterScheduler(DailyJobs dailyJobs, FrequentJobs frequentJobs, ScheduleProperties properties) {
            this.dailyJobs = dailyJobs;
            this.frequentJobs = frequentJobs;
            this.properties = properties;
        }

        @Override
        public synchronized void start() {
            if (properties.jdbcUrl() == null || properties.jdbcUrl().isBlank()) {
                throw new IllegalStateException("daily jobs need fugou.schedule.jdbc-url (by default the service's spring.flyway.url)");
            }
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(properties.jdbcUrl());
            dataSource.setUser(properties.username());
            dataSource.setPassword(properties.password());
            createTable(dataSource);
            RecurringTask<Void> check = Tasks.recurring(CHECK_TASK, FixedDelay.of(properties.checkInterval()))
                    .execute((instance, context) -> dailyJobs.runDue().then(frequentJobs.runAll()).block(Duration.ofHours(1)));
            scheduler = Scheduler.create(dataSource)
                    .startTasks(check)
                    .threads(1)
                    .pollingInterval(minimum(properties.checkInterval(), Duration.ofSeconds(10)))
                    // an instance that dies mid-check is declared dead after six missed heartbeats (3 min), not 30
                    .heartbeatInterval(Duration.ofSeconds(30))
                    // a check cut short rolls its run back; it is run again by the next check
                    .shutdownMaxWait(Duration.ofSeconds(10))
                    .build();
            scheduler.start();
        }

        @Override
        public synchronized void stop() {
            if (scheduler != null) {
                scheduler.stop();
                scheduler = null;
            }
        }

        @Override
        public synchronized boolean isRunning() {
            return scheduler != null;
        }

        private static Duration minimum(Duration a, Duration b) {
            return a.compareTo(b) < 0 ? a : b;
        }

        /** db-scheduler's table (its documented PostgreSQL schema), the platform's to create like its other tables. */
        private static void createTable(PGSimpleDataSource dataSource) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("""
                        do $$ begin
                            perform pg_advisory_xact_lock(hashtext('scheduled_tasks'));
                            create table if not exists scheduled_tasks (
                                task_name            text                     not null,
                                task_instance        text                     not null,
                                task_data            bytea,
                                execution_time       timestamp with time zone not null,
                                picked               boolean                  not null,
                                picked_by            text,
                                last_success         timestamp with time zone,
                                last_failure         timestamp with time zone,
                                consecutive_failures int,
                                last_heartbeat       timestamp with time zone,
                                version              bigint                   not null,
                                priority             smallint,
                                primary key (task_name, task_instance));
                            create index if not exists execution_time_idx on scheduled_tasks (execution_time);
                            create index if not exists last_heartbeat_idx on scheduled_tasks (last_heartbeat);
                            create index if not exists priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
                        end $$""");
            } catch (SQLException e) {
                throw new IllegalStateException("could not create db-scheduler's table scheduled_tasks", e);
            }
        }
    }
}

package io.fugou.platform.web.idempotency;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/** {@link IdempotencyFilter} for every service that has a database (R2DBC). */
@AutoConfiguration(after = R2dbcTransactionManagerAutoConfiguration.class,
        afterName = "org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration")
@ConditionalOnClass({DatabaseClient.class, R2dbcTransactionManagerAutoConfiguration.class})
@ConditionalOnBean({DatabaseClient.class, ReactiveTransactionManager.class})
@EnableConfigurationProperties(IdempotencyProperties.class)
@EnableScheduling
public class IdempotencyAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyAutoConfiguration.class);

    @Bean
    IdempotencyKeys idempotencyKeys(DatabaseClient db, ObjectProvider<Clock> clock, IdempotencyProperties properties) {
        return new IdempotencyKeys(db, clock.getIfAvailable(Clock::systemUTC), properties.retention());
    }

    @Bean
    IdempotencyFilter idempotencyFilter(IdempotencyKeys keys, ReactiveTransactionManager transactionManager, IdempotencyProperties properties) {
        return new IdempotencyFilter(keys, TransactionalOperator.create(transactionManager), properties.maxBodyBytes());
    }

    @Bean
    ExpiredKeyCleanup expiredIdempotencyKeyCleanup(IdempotencyKeys keys) {
        return new ExpiredKeyCleanup(keys);
    }

    /** Hourly; a plain delete by expiry, harmless when several instances run it. */
    static class ExpiredKeyCleanup {
        private final IdempotencyKeys keys;

        ExpiredKeyCleanup(IdempotencyKeys keys) {
            this.keys = keys;
        }

        @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
        void deleteExpired() {
            keys.deleteExpired().subscribe(
                    deleted -> log.debug("Forgot {} expired idempotency keys", deleted),
                    error -> log.warn("Could not delete expired idempotency keys: {}", error.toString()));
        }
    }
}

package io.fugou.platform.kafka;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How consumers treat failing records.
 *
 * @param attempts              retries of a record that fails for a reason we cannot classify, before it is dead-lettered
 * @param interval              wait between those retries
 * @param transientInitialWait  first wait after a transient failure (registry or database unreachable); doubles each time
 * @param transientMaxWait      the longest wait between two tries of a transient failure; they are retried without limit
 * @param deadLetterHold        how long one dead-letter publish is retried before the record is handed back and tried again
 */
@ConfigurationProperties("fugou.kafka.retry")
public record KafkaRetryProperties(int attempts, Duration interval, Duration transientInitialWait, Duration transientMaxWait,
                                   Duration deadLetterHold) {
}

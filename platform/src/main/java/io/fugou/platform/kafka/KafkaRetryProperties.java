package io.fugou.platform.kafka;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** How often a failing record is retried before it goes to its dead-letter topic. */
@ConfigurationProperties("fugou.kafka.retry")
public record KafkaRetryProperties(int attempts, Duration interval) {
}

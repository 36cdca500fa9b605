package io.fugou.platform.web.idempotency;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How {@code Idempotency-Key} headers are honoured.
 *
 * @param retention    how long a key is remembered after its first request (30 days by default); a
 *                     request repeating an older key is treated as new
 * @param maxBodyBytes the largest request body a keyed request may carry (it is hashed and kept in memory)
 */
@ConfigurationProperties("fugou.idempotency")
public record IdempotencyProperties(Duration retention, int maxBodyBytes) {
}

package io.fugou.analytics.streams;

import java.time.Duration;
import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How analytics runs.
 *
 * @param applicationId     the Kafka Streams application id: its consumer group, and the prefix of its internal topics
 * @param stateDir          where the state stores live. Kept across restarts in production (a restart then only catches up);
 *                          fresh for every local run and test run, whose broker is new (a store kept from an older broker
 *                          would count its orders twice)
 * @param advertisedAddress this instance's {@code host:port} for other instances' interactive queries; blank for one instance
 * @param zone              the zone calendar months are counted in
 * @param windowCheck       how often orders leaving the rolling windows are looked for: the most a window's figure lags the clock
 */
@ConfigurationProperties("fugou.analytics")
public record AnalyticsProperties(String applicationId, String stateDir, String advertisedAddress, ZoneId zone, Duration windowCheck) {
}

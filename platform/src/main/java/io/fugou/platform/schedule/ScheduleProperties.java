package io.fugou.platform.schedule;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How daily jobs are scheduled. db-scheduler keeps its state in the service's database over JDBC (it has
 * no R2DBC driver), by default through the service's Flyway connection settings.
 *
 * @param checkInterval how often the cluster checks for due runs: the most a run starts late
 * @param jdbcUrl       the service's database, JDBC
 * @param username      its user
 * @param password      its password
 */
@ConfigurationProperties("fugou.schedule")
public record ScheduleProperties(Duration checkInterval, String jdbcUrl, String username, String password) {
}

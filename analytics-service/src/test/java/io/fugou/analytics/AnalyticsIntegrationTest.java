package io.fugou.analytics;

import io.fugou.testsupport.FugouIntegrationTest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.TestPropertySource;

/**
 * analytics-service against the real broker and registry, advertising its address as a production instance among others
 * would, so every store read goes through the routing a second instance makes real; one Spring context for all.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@FugouIntegrationTest
@TestPropertySource(properties = {"fugou.analytics.advertised-host=localhost", "fugou.analytics.rocksdb-memory=64MB"})
public @interface AnalyticsIntegrationTest {
}

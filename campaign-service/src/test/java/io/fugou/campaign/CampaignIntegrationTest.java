package io.fugou.campaign;

import io.fugou.testsupport.FugouIntegrationTest;
import io.fugou.testsupport.MovableClock;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Instant;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/** campaign-service against the real broker, registry and database, with a clock the tests move and the daily
 * jobs checked every second; one Spring context for all. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@FugouIntegrationTest
@Import(CampaignIntegrationTest.TestClock.class)
@TestPropertySource(properties = "fugou.schedule.check-interval=1s")
public @interface CampaignIntegrationTest {

    @TestConfiguration(proxyBeanMethods = false)
    class TestClock {

        @Bean
        MovableClock clock() {
            return new MovableClock(Instant.now());
        }
    }
}

package io.fugou.member;

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

/**
 * member-service against the real broker, registry and database, with a clock the tests move and the daily jobs
 * checked every second. Every member
 * test class uses this one annotation, so they share one Spring context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@FugouIntegrationTest
@Import(MemberIntegrationTest.TestClock.class)
@TestPropertySource(properties = "fugou.schedule.check-interval=1s")
public @interface MemberIntegrationTest {

    @TestConfiguration(proxyBeanMethods = false)
    class TestClock {

        /** Starts at the real time; a test that moves it puts it back when it ends. */
        @Bean
        MovableClock clock() {
            return new MovableClock(Instant.now());
        }
    }
}

package io.fugou.platform;

import io.fugou.platform.testapp.PlatformTestApplication;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.ContextConfiguration;

/**
 * The platform's test service against real Kafka, PostgreSQL and the schema registry (through an
 * outage proxy), one Spring context for every class that carries this annotation.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(classes = PlatformTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"fugou.security.mode=local", "fugou.kafka.retry.transient-initial-wait=200ms",
                "fugou.kafka.retry.transient-max-wait=1s"})
@AutoConfigureWebTestClient
@ContextConfiguration(initializers = PlatformInfrastructure.class)
public @interface PlatformIntegrationTest {
}

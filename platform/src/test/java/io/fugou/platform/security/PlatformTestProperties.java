package io.fugou.platform.security;

/** Settings for tests of the HTTP side that need no Kafka: nothing connects to a broker. */
final class PlatformTestProperties {

    static final String NO_KAFKA_1 = "fugou.kafka.topics.provision=false";
    static final String NO_KAFKA_2 = "spring.kafka.listener.auto-startup=false";
    /** No database either: R2DBC is on the test classpath for the idempotency tests only. */
    static final String NO_DATABASE = "spring.autoconfigure.exclude=org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration";

    private PlatformTestProperties() {
    }
}

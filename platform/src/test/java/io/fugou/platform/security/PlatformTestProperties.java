package io.fugou.platform.security;

/** Settings for tests of the HTTP side that need no Kafka: nothing connects to a broker. */
final class PlatformTestProperties {

    static final String NO_KAFKA_1 = "fugou.kafka.topics.provision=false";
    static final String NO_KAFKA_2 = "spring.kafka.listener.auto-startup=false";

    private PlatformTestProperties() {
    }
}

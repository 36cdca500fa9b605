package io.fugou.platform.kafka;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the platform's topics are laid out on this deployment's Kafka.
 *
 * @param partitions        partitions of every topic and dead-letter topic: all are keyed by member, so all must agree
 * @param replicationFactor replicas of a topic the service creates; -1 takes the broker's {@code default.replication.factor}
 * @param provision         whether services create missing topics and check existing ones at start
 */
@ConfigurationProperties("fugou.kafka.topics")
public record TopicProperties(int partitions, short replicationFactor, boolean provision) {
}

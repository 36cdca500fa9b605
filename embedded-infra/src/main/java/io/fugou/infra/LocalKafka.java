package io.fugou.infra;

import io.fugou.events.Topic;
import io.fugou.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker in KRaft mode, in this JVM (spring-kafka-test's EmbeddedKafkaKraftBroker),
 * with every platform topic and its dead-letter topic created.
 */
public final class LocalKafka implements AutoCloseable {

    /** Every member-scoped topic has this many partitions, so per-member order holds across topics. */
    public static final int PARTITIONS = 6;

    private final EmbeddedKafkaKraftBroker broker;

    private LocalKafka(EmbeddedKafkaKraftBroker broker) {
        this.broker = broker;
    }

    /** Starts a broker on the given port (0 for any free port). */
    public static LocalKafka start(int port) {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
        // One broker: internal topics must not ask for more replicas than exist (STACK.md trap 8).
        Map<String, String> properties = new java.util.HashMap<>(Map.of(
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "offsets.topic.replication.factor", "1",
                "group.initial.rebalance.delay.ms", "0",
                "auto.create.topics.enable", "false"));
        if (port > 0) {
            // kafkaPorts(...) is ignored in KRaft mode (STACK.md trap 11); the listeners themselves are not.
            InfraDirectories.requireFree(port, "Kafka");
            properties.put("listeners", "EXTERNAL://localhost:" + port + ",CONTROLLER://localhost:0");
            properties.put("advertised.listeners", "EXTERNAL://localhost:" + port);
        }
        broker.brokerProperties(Map.copyOf(properties));
        broker.afterPropertiesSet();
        broker.addTopics(platformTopics().toArray(NewTopic[]::new));
        return new LocalKafka(broker);
    }

    public String bootstrapServers() {
        return broker.getBrokersAsString();
    }

    /**
     * Every platform topic and its dead-letter topic, as {@link NewTopic}s: the same partition
     * count everywhere, each topic's configs from its contract (services check the same at start). Any Kafka the tests or the local
     * run use is set up from this list.
     */
    public static List<NewTopic> platformTopics() {
        List<NewTopic> topics = new ArrayList<>();
        for (Topic<?> topic : Topics.ALL) {
            topics.add(new NewTopic(topic.name(), PARTITIONS, (short) 1).configs(topic.configs()));
            topics.add(new NewTopic(topic.deadLetterTopic(), PARTITIONS, (short) 1).configs(topic.deadLetterConfigs()));
        }
        return topics;
    }

    @Override
    public void close() {
        broker.destroy();
    }
}

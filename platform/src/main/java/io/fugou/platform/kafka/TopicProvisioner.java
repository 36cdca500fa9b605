package io.fugou.platform.kafka;

import io.fugou.events.Topic;
import io.fugou.events.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Makes the broker match the topic contracts before any listener starts: missing topics and
 * dead-letter topics are created (spring-kafka's {@link KafkaAdmin} with {@link NewTopic}s from
 * {@link Topic}), and the service refuses to start when an existing topic disagrees with its
 * contract in a way that would lose order or personal-data guarantees: a partition count other than
 * the deployment's one (keys would hash to other partitions than on the member's other topics), or
 * a compacted topic that is not compacted (erasure would not remove data).
 *
 * <p>The check runs before the {@code NewTopic}s go to {@code KafkaAdmin}, because KafkaAdmin
 * "repairs" a smaller partition count by adding partitions, which silently moves keys.
 */
public class TopicProvisioner implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final KafkaAdmin kafkaAdmin;
    private final TopicProperties properties;
    private final List<Topic<?>> topics;

    public TopicProvisioner(KafkaAdmin kafkaAdmin, TopicProperties properties, List<Topic<?>> topics) {
        this.kafkaAdmin = kafkaAdmin;
        this.properties = properties;
        this.topics = topics;
    }

    public TopicProvisioner(KafkaAdmin kafkaAdmin, TopicProperties properties) {
        this(kafkaAdmin, properties, Topics.ALL);
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (properties.provision()) {
            provision();
        }
    }

    /** Every contract topic and its dead-letter topic, as the contract wants them created. */
    public List<NewTopic> newTopics() {
        Optional<Short> replicas = properties.replicationFactor() > 0 ? Optional.of(properties.replicationFactor()) : Optional.empty();
        List<NewTopic> newTopics = new ArrayList<>();
        for (Topic<?> topic : topics) {
            newTopics.add(new NewTopic(topic.name(), Optional.of(properties.partitions()), replicas).configs(topic.configs()));
            newTopics.add(new NewTopic(topic.deadLetterTopic(), Optional.of(properties.partitions()), replicas).configs(topic.deadLetterConfigs()));
        }
        return newTopics;
    }

    void provision() {
        Map<String, Object> config = new LinkedHashMap<>(kafkaAdmin.getConfigurationProperties());
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        List<NewTopic> wanted = newTopics();
        try (Admin admin = Admin.create(config)) {
            List<String> problems = new ArrayList<>();
            int existing = 0;
            for (NewTopic topic : wanted) {
                Optional<TopicDescription> description = describe(admin, topic.name());
                if (description.isEmpty()) {
                    continue;
                }
                existing++;
                int partitions = description.get().partitions().size();
                if (partitions != properties.partitions()) {
                    problems.add(topic.name() + " has " + partitions + " partitions, not " + properties.partitions());
                }
                String wantedPolicy = topic.configs().get("cleanup.policy");
                if (wantedPolicy != null) {
                    String policy = cleanupPolicy(admin, topic.name());
                    if (!policy.contains(wantedPolicy)) {
                        problems.add(topic.name() + " has cleanup.policy=" + policy + ", not " + wantedPolicy);
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("Kafka topics disagree with their contracts, so this service does not start: "
                        + String.join("; ", problems) + ". Every topic is keyed by member (or merchant) and must have the same "
                        + "partition count (fugou.kafka.topics.partitions) so one member's events keep their order; adding "
                        + "partitions moves keys. Recreate the topics, or set fugou.kafka.topics.partitions to their count.");
            }
            // Existing topics get the contract's configs too (compaction lag, dead-letter retention): the erasure
            // guarantee must not depend on when a topic was first created.
            kafkaAdmin.setModifyTopicConfigs(true);
            kafkaAdmin.createOrModifyTopics(wanted.toArray(NewTopic[]::new));
            log.info("Kafka topics match their contracts: {} found, {} created, {} partitions each",
                    existing, wanted.size() - existing, properties.partitions());
        }
    }

    private static Optional<TopicDescription> describe(Admin admin, String topic) {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw new IllegalStateException("cannot describe Kafka topic " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT_SECONDS + " s while checking topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka topics", e);
        }
    }

    private static String cleanupPolicy(Admin admin, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(resource);
            ConfigEntry entry = config.get("cleanup.policy");
            return entry == null ? "delete" : entry.value();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the configs of Kafka topic " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka topics", e);
        }
    }
}

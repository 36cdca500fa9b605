package io.fugou.events;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * One Kafka topic's contract: its name, the Avro record every value is, how it is kept, and how its
 * dead-letter topic is kept. Keys are the string {@code merchantId:customerId} (see {@link MemberKey}),
 * but on the topics of {@link Topics#KEYED_BY_MERCHANT}, keyed by {@code merchantId}; every topic has the deployment's one partition count
 * ({@code fugou.kafka.topics.partitions}, 6 locally). Services create missing topics from this
 * contract at start and refuse to start when existing ones disagree with it. Read and write a topic
 * through its contract, never through a string literal.
 *
 * @param configs           topic-level configs set when the topic is created (Kafka's names, e.g. {@code cleanup.policy})
 * @param deadLetterConfigs the same for {@code <name>.DLT}
 * @param personalData      whether values carry personal data (they must be erasable: short dead-letter retention)
 */
public record Topic<V extends SpecificRecord>(String name, Class<V> valueType, Schema valueSchema,
                                              Map<String, String> configs, Map<String, String> deadLetterConfigs,
                                              boolean personalData) {

    public static final String DEAD_LETTER_SUFFIX = ".DLT";

    public Topic {
        configs = Map.copyOf(configs);
        deadLetterConfigs = Map.copyOf(deadLetterConfigs);
    }

    /** Kept by key (latest value per member; a null value erases it) rather than by time. */
    public boolean compacted() {
        return "compact".equals(configs.get("cleanup.policy"));
    }

    /** The registry subject of the value schema under the default TopicNameStrategy. */
    public String valueSubject() {
        return name + "-value";
    }

    /** The dead-letter topic where records that cannot be processed are parked, reason in headers. */
    public String deadLetterTopic() {
        return name + DEAD_LETTER_SUFFIX;
    }
}

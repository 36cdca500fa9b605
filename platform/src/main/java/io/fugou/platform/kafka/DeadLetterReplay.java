package io.fugou.platform.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import io.fugou.events.Topics;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Puts a topic's dead letters back on the topic after the cause was fixed (a consumer upgraded, a
 * bug mended), for operators: {@code deploy/replay-dead-letters <topic>}. A replayed copy names the
 * consumer group that parked it; every other group skips it, having processed the original. Compacted
 * topics are refused: a replayed old value would become the member's latest. Each dead letter goes back
 * with its original key, value and headers (the dead-letter headers dropped, {@code fugou_replayed-from}
 * added), to the partition its key hashes to. Replaying and committing the dead-letter offsets
 * happen in one Kafka transaction, so a dead letter is replayed exactly once, even if the replay is
 * interrupted and run again; it stops at the end the dead-letter topic had when it started.
 */
public final class DeadLetterReplay {

    public static final String GROUP = "fugou-dead-letter-replay";
    public static final String REPLAYED_FROM_HEADER = "fugou_replayed-from";
    /**
     * The consumer group whose failure parked the record: only that group processes the replayed
     * copy ({@code PlatformRecordInterceptor}); the others already did, and must not do it twice.
     */
    public static final String REPLAY_FOR_GROUP_HEADER = "fugou_replay-for-group";

    /** How many dead letters went back to the topic. */
    public record Result(String topic, long replayed) {
    }

    private DeadLetterReplay() {
    }

    public static Result replay(Map<String, Object> kafkaConfig, String topic, Consumer<String> progress) {
        if (Topics.ALL.stream().anyMatch(contract -> contract.name().equals(topic) && contract.compacted())) {
            // On a compacted topic the replayed copy would become the key's latest value, over anything newer.
            throw new IllegalArgumentException(topic + " is compacted: a replayed dead letter would replace the member's newer value. "
                    + "Republish the current value from its source instead.");
        }
        String deadLetterTopic = topic + DeadLetterPublisher.DEAD_LETTER_SUFFIX;
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP + "-" + topic);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Object> producerConfig = new HashMap<>(kafkaConfig);
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, GROUP + "-" + topic);
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        long replayed = 0;
        try (KafkaConsumer<byte[], byte[]> deadLetters = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            List<TopicPartition> partitions = deadLetters.partitionsFor(deadLetterTopic).stream()
                    .map(info -> new TopicPartition(deadLetterTopic, info.partition())).toList();
            deadLetters.assign(partitions);
            Map<TopicPartition, Long> end = deadLetters.endOffsets(partitions);
            progress.accept("Replaying dead letters of " + topic + ": up to " + end.values().stream().mapToLong(Long::longValue).sum()
                    + " offsets across " + partitions.size() + " partitions");
            while (!caughtUp(deadLetters, end)) {
                ConsumerRecords<byte[], byte[]> batch = deadLetters.poll(Duration.ofSeconds(1));
                if (batch.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
                for (ConsumerRecord<byte[], byte[]> deadLetter : batch) {
                    if (deadLetter.offset() >= end.get(new TopicPartition(deadLetter.topic(), deadLetter.partition()))) {
                        continue;
                    }
                    producer.send(new ProducerRecord<>(topic, null, deadLetter.key(), deadLetter.value(), originalHeaders(deadLetter)));
                    offsets.put(new TopicPartition(deadLetter.topic(), deadLetter.partition()), new OffsetAndMetadata(deadLetter.offset() + 1));
                    replayed++;
                }
                producer.sendOffsetsToTransaction(offsets, deadLetters.groupMetadata());
                producer.commitTransaction();
                progress.accept("  " + replayed + " replayed");
            }
        }
        progress.accept("Replayed " + replayed + " dead letters to " + topic);
        return new Result(topic, replayed);
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(partition -> consumer.position(partition.getKey()) >= partition.getValue());
    }

    private static Headers originalHeaders(ConsumerRecord<byte[], byte[]> deadLetter) {
        Headers headers = new RecordHeaders();
        for (Header header : deadLetter.headers()) {
            if (header.key().equals(KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP)) {
                headers.add(REPLAY_FOR_GROUP_HEADER, header.value());
            } else if (!header.key().startsWith("kafka_dlt-") && !header.key().equals(DeadLetterPublisher.REASON_HEADER)
                    && !header.key().equals(REPLAY_FOR_GROUP_HEADER)) {
                headers.add(header);
            }
        }
        headers.add(REPLAYED_FROM_HEADER, (deadLetter.topic() + "-" + deadLetter.partition() + "@" + deadLetter.offset())
                .getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}

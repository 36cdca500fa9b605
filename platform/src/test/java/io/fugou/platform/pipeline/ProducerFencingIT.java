package io.fugou.platform.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.platform.PlatformInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.util.unit.DataSize;

/**
 * An instance restarted with fewer consumers than before has fewer producers: the transactions its earlier run left
 * open with the producers it no longer has must not block the readers of their partitions until the broker times
 * them out (a minute), and another instance's transactions must be left alone.
 */
class ProducerFencingIT {

    private static final LocalInfrastructure infrastructure = PlatformInfrastructure.INFRASTRUCTURE;
    private static final Duration LONG_TRANSACTION = Duration.ofMinutes(5);

    @Test
    void aRestartWithFewerConsumersAbortsTheTransactionsItsEarlierProducersLeftOpen() throws Exception {
        String topic = "fencing-" + UUID.randomUUID();
        String prefix = "fencing-service-" + UUID.randomUUID() + "-";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
        }
        // An earlier run with three consumers had producers 0 to 8; producer 7 died in a transaction. Another
        // instance, whose prefix extends this one's, is in the middle of a transaction of its own.
        KafkaProducer<byte[], byte[]> abandoned = transactionalProducer(prefix + "7");
        KafkaProducer<byte[], byte[]> otherInstance = transactionalProducer(prefix + "2-7");
        try {
            abandoned.beginTransaction();
            abandoned.send(record(topic, "left open")).get();
            otherInstance.beginTransaction();
            otherInstance.send(record(topic, "another instance's")).get();

            // This run has one consumer: three producers, 0 to 2.
            KafkaProperties kafka = new KafkaProperties();
            kafka.setBootstrapServers(List.of(infrastructure.kafka().bootstrapServers()));
            kafka.getProperties().put("schema.registry.url", infrastructure.registry().url());
            PipelineAutoConfiguration.PipelineKafka pipelineKafka = new PipelineAutoConfiguration.PipelineKafka(kafka, properties(prefix), 1);
            try {
                pipelineKafka.warmUp(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers()));
            } finally {
                pipelineKafka.destroy();
            }

            assertThatThrownBy(abandoned::commitTransaction).as("the abandoned producer is fenced").isInstanceOf(KafkaException.class);
            otherInstance.commitTransaction();
            try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    infrastructure.kafka().bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                plain.send(record(topic, "after the restart")).get();
            }
            assertThat(readCommitted(topic, "after the restart")).as("readers go past the aborted transaction at once, and see the other instance's")
                    .containsExactly("another instance's", "after the restart");
        } finally {
            abandoned.close(Duration.ZERO);
            otherInstance.close(Duration.ZERO);
        }
    }

    private static PipelineProperties properties(String prefix) {
        return new PipelineProperties(2000, 1, Map.of(), "0", prefix, LONG_TRANSACTION, Duration.ofSeconds(20), Duration.ofSeconds(10),
                Duration.ofMillis(25), Duration.ofMillis(50), DataSize.ofKilobytes(64));
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(String transactionalId) {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) LONG_TRANSACTION.toMillis()), new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
        return new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The values a read_committed reader sees up to {@code last}, within 15 seconds (far less than the open transaction's timeout). */
    private static List<String> readCommitted(String topic, String last) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(new String(record.value(), StandardCharsets.UTF_8)));
                return values.contains(last);
            });
        }
        return values;
    }
}

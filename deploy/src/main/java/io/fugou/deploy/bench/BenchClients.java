package io.fugou.deploy.bench;

import io.fugou.events.Topics;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import io.fugou.serde.avro.KafkaAvroSerializer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The Kafka clients every benchmark uses on the local infrastructure: the load's producer and serializer, the output's readers. */
final class BenchClients {

    private BenchClients() {
    }

    static KafkaAvroSerializer serializer(LocalInfrastructure infrastructure) {
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url()), false);
        return serializer;
    }

    static KafkaAvroDeserializer deserializer(LocalInfrastructure infrastructure) {
        KafkaAvroDeserializer deserializer = new KafkaAvroDeserializer();
        deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url(),
                "specific.avro.reader", true, "avro.trusted.packages", Topics.EVENT_PACKAGES), false);
        return deserializer;
    }

    /** Acks from all replicas; {@code lingerMs} 0 for latency runs (each record out at once), 10 for throughput. */
    static KafkaProducer<byte[], byte[]> producer(LocalInfrastructure infrastructure, int lingerMs) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, lingerMs,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * A producer whose records stay invisible to read_committed consumers until {@code commitTransaction}: a benchmark puts its
     * input on the topic first and starts its clock when the service can first read it, so publishing (the load generator and
     * the broker taking the records in, on the same cores) is not measured as the service's work.
     */
    static KafkaProducer<byte[], byte[]> transactionalProducer(LocalInfrastructure infrastructure, String transactionalId) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                // Publishing ten million orders takes well under this; the broker allows up to 15 minutes.
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TimeUnit.MINUTES.toMillis(10),
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Reads what consumers of the output see: committed transactions only. */
    static KafkaConsumer<byte[], byte[]> readCommitted(LocalInfrastructure infrastructure) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}

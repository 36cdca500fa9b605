package io.fugou.testsupport;

import io.fugou.events.MemberKey;
import io.fugou.events.Topic;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import io.fugou.serde.avro.KafkaAvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;

/** Plays the shop backend in tests: publishes events as it would, and reads topics back. */
public final class KafkaTestClient {

    private final TestInfrastructure infrastructure = TestInfrastructure.get();

    /** Publishes an event with the Confluent-wire serde, keyed merchantId:customerId, and waits for the ack. */
    public <V extends SpecificRecord> void publish(Topic<V> topic, MemberKey key, V value) {
        publish(topic, key.toString(), value);
    }

    /** Publishes a value under any key (a merchant's, on a merchant-keyed topic), and waits for the ack. */
    public <V extends SpecificRecord> void publish(Topic<V> topic, String key, V value) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.schemaRegistryUrl());
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(config, false);
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic.name(), e);
        }
    }

    /** Publishes many events in the order given through one producer (one key's events stay in order), and waits for every ack. */
    public <V extends SpecificRecord> void publishAll(Topic<V> topic, List<Map.Entry<MemberKey, V>> events) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.schemaRegistryUrl(),
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(config, false);
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (Map.Entry<MemberKey, V> event : events) {
                acks.add(producer.send(new ProducerRecord<>(topic.name(), event.getKey().toString(), event.getValue())));
            }
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic.name(), e);
        }
    }

    /** Creates a topic for a test's own use (the broker does not create topics on first use). */
    public void createTopic(String name) {
        try (org.apache.kafka.clients.admin.AdminClient admin = org.apache.kafka.clients.admin.AdminClient.create(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(name, 1, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    /** Publishes raw bytes, as a misbehaving producer would. */
    public void publishBytes(String topic, String key, byte[] value) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }

    /** Reads the topic from the beginning until a record matches or the timeout passes. */
    public ConsumerRecord<String, byte[]> awaitRecord(String topic, Predicate<ConsumerRecord<String, byte[]>> matching, Duration timeout) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    if (matching.test(record)) {
                        return record;
                    }
                    seen.add(record.key());
                }
            }
        }
        throw new AssertionError("no matching record on " + topic + " within " + timeout + "; keys seen: " + seen);
    }

    /**
     * A member's events on a topic, read as every platform consumer reads them (read_committed), once
     * at least {@code count} are there; then it reads on for half a second so that an extra copy would show (a relay
     * publishes within tens of milliseconds).
     */
    @SuppressWarnings("unchecked")
    public <V extends SpecificRecord> List<V> awaitEvents(Topic<V> topic, MemberKey member, int count, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<V> events = List.of();
        while (Instant.now().isBefore(deadline)) {
            events = readEvents(topic, member, Duration.ofMillis(500));
            if (events.size() >= count) {
                return readEvents(topic, member, Duration.ofMillis(500));
            }
        }
        throw new AssertionError(member + " has " + events.size() + " events on " + topic.name() + " after " + timeout + ", not " + count);
    }

    /** A member's events on a topic that are there now, read for {@code window} (read_committed); to check none came. */
    public <V extends SpecificRecord> List<V> readEvents(Topic<V> topic, MemberKey member, Duration window) {
        return readValues(topic, member.toString(), window);
    }

    /** The values under a key (a member's, or a merchant's on a merchant-keyed topic), read for {@code window} (read_committed). */
    @SuppressWarnings("unchecked")
    public <V extends SpecificRecord> List<V> readValues(Topic<V> topic, String key, Duration window) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<V> events = new ArrayList<>();
        try (KafkaAvroDeserializer deserializer = new KafkaAvroDeserializer();
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.schemaRegistryUrl(),
                    "specific.avro.reader", true, "avro.trusted.packages", io.fugou.events.Topics.EVENT_PACKAGES), false);
            // Assigned, not subscribed: no group to join, so reading starts at once.
            consumer.assign(consumer.partitionsFor(topic.name()).stream()
                    .map(partition -> new org.apache.kafka.common.TopicPartition(topic.name(), partition.partition())).toList());
            consumer.seekToBeginning(consumer.assignment());
            Instant until = Instant.now().plus(window);
            while (Instant.now().isBefore(until)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (key.equals(record.key())) {
                        events.add((V) deserializer.deserialize(record.topic(), record.value()));
                    }
                }
            }
        }
        return events;
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }
}

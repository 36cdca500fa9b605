package io.fugou.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topic;
import io.fugou.events.Topics;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.platform.PlatformInfrastructure;
import io.fugou.platform.PlatformIntegrationTest;
import io.fugou.platform.testapp.OrderRecorder;
import io.fugou.platform.testapp.PlatformTestApplication;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * How every service consumes, proven once against a real broker and registry: unknown event types
 * skipped, transient outages waited out in order, hopeless records dead-lettered byte for byte on
 * the partition of their key, keys checked against envelopes, topics provisioned from contracts,
 * trace context carried in headers.
 */
@PlatformIntegrationTest
class KafkaPlatformIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final LocalInfrastructure infrastructure = PlatformInfrastructure.INFRASTRUCTURE;
    private static final RegistryOutage registry = PlatformInfrastructure.REGISTRY;

    @AfterAll
    static void registryBackUp() {
        registry.up();
    }

    @Autowired
    private OrderRecorder recorder;

    @Autowired
    private WebTestClient web;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private KafkaAdmin kafkaAdmin;

    @Autowired
    private KafkaTemplate<Object, Object> kafkaTemplate;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void shouldSkipAnEventTypeTheServiceDoesNotKnowInsteadOfReadingItAsAnother() {
        MemberKey key = new MemberKey("merchant-a", unique("buyer"));
        Schema newer = withNewOrderEventType();
        GenericRecord completed = new GenericData.Record(newer);
        completed.put("eventId", UUID.randomUUID().toString());
        completed.put("occurredAt", Instant.now().toEpochMilli());
        completed.put("merchantId", key.merchantId());
        completed.put("customerId", key.customerId());
        GenericRecord payload = new GenericData.Record(newer.getField("payload").schema().getTypes().stream()
                .filter(type -> type.getName().equals("OrderCompleted")).findFirst().orElseThrow());
        String completedOrder = unique("completed");
        payload.put("orderId", completedOrder);
        completed.put("payload", payload);
        double unknownBefore = unknownEvents();

        publish(key, serialize(completed));
        String marker = unique("marker");
        publish(key, serialize(paid(key, marker)));

        await().atMost(ARRIVAL).until(() -> recorder.orderIdsOf(key.toString()).contains(marker));
        assertThat(recorder.orderIdsOf(key.toString())).containsExactly(marker);
        assertThat(unknownEvents()).isGreaterThan(unknownBefore);
        assertThat(readAll(Topics.ORDERS.deadLetterTopic(), Duration.ofSeconds(2))).noneMatch(r -> key.toString().equals(utf8(r.key())));
    }

    @Test
    void shouldDeadLetterARecordWhoseKeyIsNotItsEnvelopesMember() {
        MemberKey envelope = new MemberKey("merchant-a", unique("buyer"));
        String wrongKey = "merchant-a:" + unique("someone-else");

        publish(wrongKey, serialize(paid(envelope, unique("misrouted"))));

        ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(wrongKey);
        assertThat(header(deadLetter, DeadLetterPublisher.REASON_HEADER))
                .contains("is not its envelope's merchantId:customerId '" + envelope + "'");
        assertThat(header(deadLetter, "kafka_dlt-original-consumer-group")).as("the failing listener's own group").isEqualTo("platform-test");
    }

    @Test
    void shouldDeadLetterGarbageAtOnceWithItsBytesOnThePartitionOfItsKey() {
        String key = "merchant-a:" + unique("garbage");
        byte[] garbage = "{\"orderId\":\"not avro\"}".getBytes(StandardCharsets.UTF_8);

        publish(key, garbage);

        ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(key);
        assertThat(deadLetter.value()).isEqualTo(garbage);
        assertThat(deadLetter.partition()).isEqualTo(partitionOf(key));
        assertThat(header(deadLetter, "kafka_dlt-exception-fqcn")).endsWith("DeserializationException");
        assertThat(header(deadLetter, DeadLetterPublisher.REASON_HEADER)).contains("Unknown magic byte").contains(Topics.ORDERS.name());
        assertThat(header(deadLetter, "kafka_dlt-original-topic")).isEqualTo(Topics.ORDERS.name());
        assertThat(deadLetter.headers().lastHeader(OriginalBytesDeserializer.ORIGINAL_VALUE_HEADER)).isNull();
    }

    @Test
    void shouldDeadLetterAnInvalidEventExactlyAsTheProducerWroteIt() {
        MemberKey key = new MemberKey("merchant-a", unique("buyer"));
        // Written with a newer schema whose field this service does not know: re-serializing would drop it.
        Schema newer = withNewEnvelopeField("shopNote");
        GenericRecord invalid = asGeneric(paid(key, unique("invalid")), newer);
        invalid.put("shopNote", "gift wrap, please");
        byte[] written = serialize(invalid);

        publish(key.toString(), written);

        ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(key.toString());
        assertThat(deadLetter.value()).isEqualTo(written);
        assertThat(deadLetter.partition()).isEqualTo(partitionOf(key.toString()));
        assertThat(header(deadLetter, DeadLetterPublisher.REASON_HEADER)).contains("breaks a rule");
    }

    @Test
    void shouldReplayADeadLetterOnceAfterItsCauseWasFixed() {
        MemberKey key = new MemberKey("merchant-a", unique("buyer"));
        String order = unique("invalid");
        publish(key, serialize(paid(key, order)));
        awaitDeadLetter(key.toString());
        recorder.accept(order);
        Map<String, Object> kafka = Map.of("bootstrap.servers", infrastructure.kafka().bootstrapServers());

        DeadLetterReplay.Result first = DeadLetterReplay.replay(kafka, Topics.ORDERS.name(), line -> { });

        assertThat(first.replayed()).isGreaterThanOrEqualTo(1);
        await().atMost(ARRIVAL).until(() -> recorder.orderIdsOf(key.toString()).contains(order));
        DeadLetterReplay.replay(kafka, Topics.ORDERS.name(), line -> { });
        String marker = unique("marker");
        publish(key, serialize(paid(key, marker)));
        await().atMost(ARRIVAL).until(() -> recorder.orderIdsOf(key.toString()).contains(marker));
        assertThat(recorder.orderIdsOf(key.toString())).containsExactly(order, marker);
    }

    @Test
    void shouldWaitOutAStoppedRegistryAndThenProcessEveryRecordInOrder() {
        waitOutRegistryOutage(registry::stop);
    }

    @Test
    void shouldWaitOutARegistryAnswering503AndThenProcessEveryRecordInOrder() {
        waitOutRegistryOutage(registry::down);
    }

    private void waitOutRegistryOutage(Runnable outage) {
        MemberKey key = new MemberKey("merchant-a", unique("buyer"));
        // A schema version registered now: the consumer has not cached it, so it must ask the registry.
        Schema newer = withNewEnvelopeField("outageProbe" + UUID.randomUUID().toString().replace("-", ""));
        List<String> orders = new ArrayList<>();
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String order = unique("during-outage-" + i);
            orders.add(order);
            records.add(serialize(asGeneric(paid(key, order), newer)));
        }

        outage.run();
        try {
            records.forEach(bytes -> publish(key.toString(), bytes));
            await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/actuator/health").exchange()
                    .expectStatus().isOk()
                    .expectBody().jsonPath("$.components.kafkaConsumers.status").isEqualTo("WAITING"));
            assertThat(recorder.orderIdsOf(key.toString())).isEmpty();
        } finally {
            registry.up();
        }

        await().atMost(ARRIVAL).until(() -> recorder.orderIdsOf(key.toString()).size() == orders.size());
        assertThat(recorder.orderIdsOf(key.toString())).containsExactlyElementsOf(orders);
        assertThat(readAll(Topics.ORDERS.deadLetterTopic(), Duration.ofSeconds(2))).noneMatch(r -> key.toString().equals(utf8(r.key())));
        await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/actuator/health").exchange()
                .expectBody().jsonPath("$.components.kafkaConsumers.status").isEqualTo("UP"));
    }

    @Test
    void shouldWaitOutADatabaseOutageAndKeepTheMembersOrder() {
        MemberKey key = new MemberKey("merchant-a", unique("buyer"));
        String first = unique("first");
        String second = unique("second");
        recorder.failTransiently(first, 4);

        publish(key, serialize(paid(key, first)));
        publish(key, serialize(paid(key, second)));

        await().atMost(ARRIVAL).until(() -> recorder.orderIdsOf(key.toString()).size() == 2);
        assertThat(recorder.orderIdsOf(key.toString())).containsExactly(first, second);
        assertThat(meters.counter("fugou.kafka.consumer.transient.failures", "topic", Topics.ORDERS.name(), "kind", "DATABASE").count())
                .isGreaterThanOrEqualTo(4);
    }

    @Test
    void shouldHaveProvisionedEveryTopicAndDeadLetterTopicFromItsContract() throws Exception {
        try (Admin admin = Admin.create(kafkaAdmin.getConfigurationProperties())) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (Topic<?> topic : Topics.ALL) {
                assertThat(names).contains(topic.name(), topic.deadLetterTopic());
            }
            assertThat(config(admin, Topics.CUSTOMERS.deadLetterTopic()).get("retention.ms").value())
                    .isEqualTo(Topics.PERSONAL_DATA_DEAD_LETTER_RETENTION_MS);
            Config profiles = config(admin, Topics.MEMBER_PROFILES.name());
            assertThat(profiles.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(profiles.get("max.compaction.lag.ms").value()).isEqualTo(Topics.PROFILE_MAX_COMPACTION_LAG_MS);
        }
    }

    @Test
    void shouldRefuseToStartWhenATopicHasAnotherPartitionCount() throws Exception {
        String name = unique("platform-test-orders") + ".v1";
        try (Admin admin = Admin.create(kafkaAdmin.getConfigurationProperties())) {
            admin.createTopics(List.of(new NewTopic(name, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Topic<OrderEvent> contract = new Topic<>(name, OrderEvent.class, OrderEvent.getClassSchema(), Map.of(), Map.of(), false);

        TopicProvisioner provisioner = new TopicProvisioner(kafkaAdmin, new TopicProperties(6, (short) 1, true), List.of(contract));

        assertThatThrownBy(provisioner::provision)
                .hasMessageContaining(name + " has 3 partitions, not 6")
                .hasMessageContaining("fugou.kafka.topics.partitions");
    }

    @Test
    void shouldCarryTheTraceContextInKafkaHeaders() throws Exception {
        String topic = unique("trace-check");
        try (Admin admin = Admin.create(kafkaAdmin.getConfigurationProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }

        kafkaTemplate.send(topic, "merchant-a:buyer-1", "traced").get(30, TimeUnit.SECONDS);

        ConsumerRecord<byte[], byte[]> record = readAll(topic, Duration.ofSeconds(10)).stream().findFirst().orElseThrow();
        assertThat(header(record, "traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    }

    // --- helpers ---

    private double unknownEvents() {
        var counter = meters.find("fugou.kafka.events.unknown").tag("topic", Topics.ORDERS.name()).counter();
        return counter == null ? 0 : counter.count();
    }

    private static OrderEvent paid(MemberKey key, String orderId) {
        Money total = Money.newBuilder().setAmountMinor(25_800).setCurrency("CNY").build();
        return OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(key.merchantId())
                .setCustomerId(key.customerId())
                .setPayload(OrderPaid.newBuilder().setOrderId(orderId).setCouponCodes(List.of()).setCouponRedemptions(List.of())
                        .setLines(List.of(OrderLine.newBuilder().setSku("BEER-101").setCategory("drinks/beer").setQuantity(2)
                                .setUnitPrice(Money.newBuilder().setAmountMinor(12_900).setCurrency("CNY").build()).build()))
                        .setTotal(total).build())
                .build();
    }

    /** The order envelope as a shop on a newer contract would have it: one more union branch. */
    private static Schema withNewOrderEventType() {
        Schema completed = Schema.createRecord("OrderCompleted", "The buyer confirmed receipt.", "io.fugou.events.orders", false,
                List.of(new Schema.Field("orderId", Schema.create(Schema.Type.STRING), "The order.", (Object) null)));
        List<Schema> branches = new ArrayList<>(OrderEvent.getClassSchema().getField("payload").schema().getTypes());
        branches.add(completed);
        return envelopeWith(field -> field.name().equals("payload")
                ? new Schema.Field(field, Schema.createUnion(branches)) : new Schema.Field(field, field.schema()), null);
    }

    /**
     * The order envelope with one more optional field this service's reader does not have (and the
     * new event type too, so that every schema the tests register stays compatible with the last).
     */
    private static Schema withNewEnvelopeField(String name) {
        Schema withNewType = withNewOrderEventType();
        return envelopeWith(field -> field.name().equals("payload")
                        ? new Schema.Field(field, withNewType.getField("payload").schema()) : new Schema.Field(field, field.schema()),
                new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                        "Added by a newer contract.", Schema.Field.NULL_DEFAULT_VALUE));
    }

    private static Schema envelopeWith(java.util.function.Function<Schema.Field, Schema.Field> copy, Schema.Field extra) {
        Schema current = OrderEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>(current.getFields().stream().map(copy).toList());
        if (extra != null) {
            fields.add(extra);
        }
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /** The event as a generic record of a newer schema: written with ours, read with that one (new fields take defaults). */
    private static GenericRecord asGeneric(OrderEvent event, Schema schema) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
            new org.apache.avro.specific.SpecificDatumWriter<OrderEvent>(OrderEvent.getClassSchema()).write(event, encoder);
            encoder.flush();
            return new org.apache.avro.generic.GenericDatumReader<GenericRecord>(OrderEvent.getClassSchema(), schema)
                    .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] serialize(Object value) {
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url()), false);
        return serializer.serialize(Topics.ORDERS.name(), value);
    }

    private static void publish(MemberKey key, byte[] value) {
        publish(key.toString(), value);
    }

    private static void publish(String key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.ORDERS.name(), key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish", e);
        }
    }

    /** The partition Kafka's default partitioner gives a key on a topic of the contract's partition count. */
    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % 6;
    }

    private ConsumerRecord<byte[], byte[]> awaitDeadLetter(String key) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        await().atMost(ARRIVAL).until(() -> {
            readAll(Topics.ORDERS.deadLetterTopic(), Duration.ofSeconds(1)).stream()
                    .filter(record -> key.equals(utf8(record.key()))).findFirst().ifPresent(found::add);
            return !found.isEmpty();
        });
        return found.get(0);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration window) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            // Assigned, not subscribed: no group to join, so reading starts at once.
            consumer.assign(consumer.partitionsFor(topic).stream()
                    .map(partition -> new org.apache.kafka.common.TopicPartition(topic, partition.partition())).toList());
            consumer.seekToBeginning(consumer.assignment());
            Instant deadline = Instant.now().plus(window);
            while (Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}

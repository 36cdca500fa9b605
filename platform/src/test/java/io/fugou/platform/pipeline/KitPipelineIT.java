package io.fugou.platform.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsReversed;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.platform.PlatformInfrastructure;
import io.fugou.platform.PlatformIntegrationTest;
import io.fugou.platform.kafka.DeadLetterPublisher;
import io.fugou.platform.testapp.KitLedger;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import io.fugou.serde.avro.KafkaAvroSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The exactly-once kit against the real broker, registry and PostgreSQL: batches with duplicates
 * inside and across them, poison records in the middle, a failure between the database commit and
 * the Kafka commit, mixed event types on one member. The output topic is read as every consumer of
 * the platform reads it (read_committed) and must hold each event once, numbered 1, 2, 3... per member.
 */
@PlatformIntegrationTest
class KitPipelineIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(60);
    private static final LocalInfrastructure infrastructure = PlatformInfrastructure.INFRASTRUCTURE;
    private static KafkaProducer<byte[], byte[]> producer;
    private static KafkaAvroSerializer serializer;

    @Autowired
    private KitLedger ledger;

    @Autowired
    private PipelineContainers containers;

    @Autowired
    private DatabaseClient db;

    @BeforeAll
    static void producer() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
        serializer = new KafkaAvroSerializer();
        serializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url()), false);
    }

    @AfterAll
    static void closeProducer() {
        producer.close();
        serializer.close();
    }

    @AfterEach
    void resume() {
        containers.containers().forEach(container -> container.resume());
    }

    @Test
    void shouldApplyEachOrderOnceAndPublishOneEventPerOrderWithDuplicatesInsideAndAcrossBatches() throws Exception {
        MemberKey member = newMember();
        List<String> orders = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            orders.add("order-" + i);
        }
        holdingTheConsumer(() -> {
            for (String order : orders) {
                publish(member, paid(member, order, 25_800));
                if (order.equals("order-3") || order.equals("order-10")) {
                    publish(member, paid(member, order, 25_800)); // the shop sent it twice: another event id, another offset
                }
            }
        });
        awaitEvents(member, 30);
        // Later, in other batches: duplicates of orders already applied, and new ones.
        publish(member, paid(member, "order-5", 25_800));
        publish(member, paid(member, "order-6", 25_800));
        publish(member, paid(member, "order-31", 25_800));
        orders.add("order-31");

        List<PointsEvent> events = awaitEvents(member, 31);

        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getEntryId()).containsExactlyElementsOf(orders);
        assertThat(events).extracting(PointsEvent::getSequence).containsExactlyElementsOf(oneTo(31));
        assertThat(events).extracting(PointsEvent::getEventId).doesNotHaveDuplicates();
        assertThat(rows(member)).isEqualTo(31);
    }

    @Test
    void shouldDeadLetterPoisonRecordsInTheMiddleOfABatchAndApplyTheRestOnce() throws Exception {
        MemberKey member = newMember();
        String wrongKey = member.merchantId() + ":someone-else";
        List<RecordMetadata> poison = new ArrayList<>();
        holdingTheConsumer(() -> {
            publish(member, paid(member, "ok-1", 10_000));
            poison.add(publish(wrongKey, serializer.serialize(KitLedger.ORDERS.name(), paid(member, "misfiled", 10_000))));
            publish(member, paid(member, "ok-2", 10_000));
            poison.add(publish(member, paid(member, "negative", -1)));
            publish(member, paid(member, "ok-3", 10_000));
            poison.add(publish(member, paid(member, "too-big", 50_000_000))); // breaks the ledger's check constraint
            publish(member, paid(member, "ok-4", 10_000));
            poison.add(publish(member.toString(), "not the wire format".getBytes(StandardCharsets.UTF_8)));
        });

        List<PointsEvent> events = awaitEvents(member, 4);

        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getEntryId()).containsExactly("ok-1", "ok-2", "ok-3", "ok-4");
        assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L, 3L, 4L);
        assertThat(ledger.batches()).as("the poison records and the good ones arrived in one batch")
                .anyMatch(batch -> batch.containsAll(poison.stream().map(KitPipelineIT::position).toList()));
        // By partition and offset: the misfiled record sits on another partition, where its offset may be another's.
        Map<String, String> reasons = new HashMap<>();
        await().atMost(ARRIVAL).until(() -> {
            for (ConsumerRecord<byte[], byte[]> deadLetter : read(KitLedger.ORDERS.deadLetterTopic(), true, Duration.ofSeconds(1))) {
                String key = new String(deadLetter.key(), StandardCharsets.UTF_8);
                if (key.equals(member.toString()) || key.equals(wrongKey)) {
                    reasons.put(sourceOf(deadLetter), header(deadLetter, DeadLetterPublisher.REASON_HEADER));
                    assertThat(header(deadLetter, "kafka_dlt-original-consumer-group")).isEqualTo(KitLedger.GROUP);
                }
            }
            return reasons.size() == 4;
        });
        assertThat(reasons.get(poison.get(0).partition() + "@" + poison.get(0).offset())).contains("is not its envelope's merchantId:customerId");
        assertThat(reasons.get(poison.get(1).partition() + "@" + poison.get(1).offset())).contains("negative total");
        assertThat(reasons.get(poison.get(2).partition() + "@" + poison.get(2).offset())).contains("check constraint");
        assertThat(reasons.get(poison.get(3).partition() + "@" + poison.get(3).offset())).containsIgnoringCase("magic byte");
        assertThat(rows(member)).isEqualTo(4);
    }

    @Test
    void shouldPublishTheSameEventsOnceWhenTheKafkaCommitFailsAfterTheDatabaseCommitted() throws Exception {
        MemberKey member = newMember();
        List<RecordMetadata> sent = new ArrayList<>();
        holdingTheConsumer(() -> {
            for (int i = 1; i <= 10; i++) {
                sent.add(publish(member, paid(member, "order-" + i, 9_900)));
            }
            ledger.crashBeforeKafkaCommit(position(sent.get(4)));
        });

        List<PointsEvent> events = awaitEvents(member, 10);

        assertThat(ledger.crashed()).contains(position(sent.get(4)));
        assertThat(events).extracting(PointsEvent::getSequence).containsExactlyElementsOf(oneTo(10));
        assertThat(events).extracting(PointsEvent::getEventId).doesNotHaveDuplicates();
        // The aborted attempt's copies are on the log, invisible to read_committed readers, and identical.
        List<PointsEvent> everything = eventsOf(member, false, Duration.ofSeconds(2));
        assertThat(everything.size()).as("the aborted copies are in the log").isGreaterThan(10);
        assertThat(everything.stream().map(PointsEvent::getEventId).distinct().toList())
                .containsExactlyElementsOf(events.stream().map(PointsEvent::getEventId).toList());
        assertThat(everything).allMatch(copy -> events.contains(copy));
        assertThat(rows(member)).isEqualTo(10);
    }

    @Test
    void shouldKeepEachMembersOrderAcrossEventTypesInOneBatch() throws Exception {
        MemberKey member = newMember();
        MemberKey other = newMember();
        holdingTheConsumer(() -> {
            publish(member, paid(member, "a", 10_000));
            publish(other, paid(other, "x", 10_000));
            publish(member, cancelled(member, "a"));
            publish(member, paid(member, "b", 10_000));
            publish(other, paid(other, "y", 10_000));
            publish(member, cancelled(member, "b"));
            publish(member, paid(member, "c", 10_000));
        });

        List<PointsEvent> events = awaitEvents(member, 5);

        assertThat(events).extracting(KitPipelineIT::entryId).containsExactly("a", "cancel-a", "b", "cancel-b", "c");
        assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(awaitEvents(other, 2)).extracting(KitPipelineIT::entryId).containsExactly("x", "y");
    }


    // --- the outbox: changes made by HTTP requests and scheduled jobs ---

    @Test
    void shouldPublishAnHttpChangeOnItsTopicMomentsAfterItsCommitAndThenDeleteItsRow() throws Exception {
        MemberKey member = newMember();
        List<Long> commits = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ledger.adjust(member, "adj-" + i, 500, Mono.empty()).block(ARRIVAL);
            commits.add(System.currentTimeMillis());
            Thread.sleep(200);
        }

        List<PointsEvent> events = awaitEvents(member, 5);
        // A figure for the closing note, not a check: each event's send time (its record's timestamp) after its commit.
        List<ConsumerRecord<byte[], byte[]>> records = recordsOf(member);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            delays.add(records.get(i).timestamp() - commits.get(i));
        }
        System.out.printf("outbox: HTTP changes' events sent %s ms after their commits%n", delays);

        assertThat(events).allMatch(event -> event.getPayload() instanceof PointsAdjusted);
        assertThat(events).extracting(PointsEvent::getSequence).containsExactlyElementsOf(oneTo(5));
        await().atMost(ARRIVAL).until(() -> outboxRows(member) == 0);
    }

    @Test
    void shouldKeepOneMembersOrderWhenItsOrdersAndHttpChangesInterleave() throws Exception {
        MemberKey member = newMember();
        List<Mono<Void>> adjustments = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            publish(member, paid(member, "order-" + i, 10_000));
            adjustments.add(ledger.adjust(member, "adj-" + i, -10, Mono.empty()));
            if (i % 5 == 0) {
                Mono.when(adjustments).block(ARRIVAL);
                adjustments.clear();
            }
        }

        List<PointsEvent> events = awaitEvents(member, 50);

        assertThat(events).extracting(PointsEvent::getSequence).containsExactlyElementsOf(oneTo(50));
        assertThat(events).extracting(KitPipelineIT::entryId).doesNotHaveDuplicates()
                .contains("order-1", "order-25", "adj-1", "adj-25");
        assertThat(events.stream().filter(event -> event.getPayload() instanceof PointsAdjusted)).hasSize(25);
    }

    @Test
    void shouldNotSkipAnHttpChangeWhoseTransactionCommitsBehindALaterOne() throws Exception {
        MemberKey late = newMember();
        MemberKey sameShare = memberOnTheShareOf(late, true);
        MemberKey otherShare = memberOnTheShareOf(late, false);
        Sinks.Empty<Void> commitTheLateOne = Sinks.empty();
        var lateOne = ledger.adjust(late, "adj-late", 1, commitTheLateOne.asMono()).toFuture();
        Thread.sleep(300); // its row has its id; its transaction stays open
        var laterOne = ledger.adjust(sameShare, "adj-later", 1, Mono.empty()).toFuture();
        ledger.adjust(otherShare, "adj-elsewhere", 1, Mono.empty()).block(ARRIVAL);

        assertThat(awaitEvents(otherShare, 1)).as("another share is not held up").hasSize(1);
        assertThat(laterOne).as("a writer of the same share waits for the open transaction").isNotDone();
        assertThat(eventsOf(sameShare, true, Duration.ofMillis(500))).isEmpty();
        commitTheLateOne.tryEmitEmpty();
        lateOne.get(30, TimeUnit.SECONDS);
        laterOne.get(30, TimeUnit.SECONDS);

        assertThat(awaitEvents(late, 1)).extracting(KitPipelineIT::entryId).containsExactly("adj-late");
        assertThat(awaitEvents(sameShare, 1)).extracting(KitPipelineIT::entryId).containsExactly("adj-later");
    }

    @Test
    void shouldPublishOutboxEventsOnceWhenTheRelayFailsAfterSendingThemAndBeforeItsKafkaCommit() throws Exception {
        MemberKey member = newMember();
        long next = takeOutboxId() + 1;
        ledger.crashRelayBeforeKafkaCommit(next + 2);
        for (int i = 1; i <= 6; i++) {
            ledger.adjust(member, "adj-" + i, 1, Mono.empty()).block(ARRIVAL);
        }

        List<PointsEvent> events = awaitEvents(member, 6);

        assertThat(ledger.relayCrashed()).contains(next + 2);
        assertThat(events).extracting(PointsEvent::getSequence).containsExactlyElementsOf(oneTo(6));
        assertThat(events).extracting(PointsEvent::getEventId).doesNotHaveDuplicates();
        assertThat(eventsOf(member, false, Duration.ofSeconds(2)).size()).as("the aborted copy is in the log").isGreaterThan(6);
    }

    @Test
    void shouldPublishOrdersAndHttpChangesOnceAndInOrderWhenABatchCarryingBothFailsBeforeItsKafkaCommit() throws Exception {
        MemberKey member = newMember();
        List<RecordMetadata> sent = new ArrayList<>();
        holdingTheConsumer(() -> {
            for (int i = 1; i <= 4; i++) {
                sent.add(publish(member, paid(member, "order-" + i, 10_000)));
            }
            // Committed while the consumer is paused: they go out with the batch, in its Kafka transaction.
            ledger.adjust(member, "adj-1", 1, Mono.empty()).block(ARRIVAL);
            ledger.adjust(member, "adj-2", 1, Mono.empty()).block(ARRIVAL);
            for (int i = 5; i <= 8; i++) {
                sent.add(publish(member, paid(member, "order-" + i, 10_000)));
            }
            // And one more change committed at the worst moment: after the batch's database commit, before its Kafka commit.
            ledger.crashBeforeKafkaCommit(position(sent.get(7)), () -> ledger.adjust(member, "adj-3", 1, Mono.empty()).block(ARRIVAL));
        });

        List<PointsEvent> events = awaitEvents(member, 11);

        assertThat(ledger.crashed()).contains(position(sent.get(7)));
        assertThat(events).extracting(PointsEvent::getSequence).containsExactlyElementsOf(oneTo(11));
        assertThat(events).extracting(KitPipelineIT::entryId).containsExactlyInAnyOrder(
                "order-1", "order-2", "order-3", "order-4", "adj-1", "adj-2", "order-5", "order-6", "order-7", "order-8", "adj-3");
        assertThat(events.get(10).getPayload()).as("the change made after the batch's database commit comes after the batch")
                .isInstanceOf(PointsAdjusted.class);
    }

    // --- helpers ---

    private interface Publishing {
        void run() throws Exception;
    }

    /** Publishes while the pipeline's consumer is paused, so what is published arrives as one batch. */
    private void holdingTheConsumer(Publishing publishing) throws Exception {
        containers.containers().forEach(container -> container.pause());
        await().atMost(ARRIVAL).until(() -> containers.containers().stream().allMatch(container -> container.isContainerPaused()));
        try {
            publishing.run();
        } finally {
            containers.containers().forEach(container -> container.resume());
        }
    }

    @Autowired
    private Outbox outbox;

    /** Another new member whose events fall in the same outbox share as the given one's, or in another. */
    private MemberKey memberOnTheShareOf(MemberKey member, boolean same) {
        int share = outbox.shareOf(member.toString());
        while (true) {
            MemberKey candidate = newMember();
            if ((outbox.shareOf(candidate.toString()) == share) == same) {
                return candidate;
            }
        }
    }

    private long outboxRows(MemberKey member) {
        return db.sql("select count(*) as n from fugou_outbox where record_key = convert_to(:key, 'UTF8')").bind("key", member.toString())
                .map((row, meta) -> row.get("n", Long.class)).one().block();
    }

    /** Takes an outbox id, so the next row written gets the one after it. */
    private long takeOutboxId() {
        outbox.ensureSchema().block();
        return db.sql("select nextval('fugou_outbox_id_seq') as id").map((row, meta) -> row.get("id", Long.class)).one().block();
    }

    private static MemberKey newMember() {
        return new MemberKey("kit-" + UUID.randomUUID().toString().substring(0, 8), "buyer-1");
    }

    private static List<Long> oneTo(int n) {
        List<Long> numbers = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            numbers.add(i);
        }
        return numbers;
    }

    private static String entryId(PointsEvent event) {
        return switch (event.getPayload()) {
            case PointsEarned earned -> earned.getEntryId();
            case PointsAdjusted adjusted -> adjusted.getEntryId();
            default -> ((PointsReversed) event.getPayload()).getEntryId();
        };
    }

    private static SourcePosition position(RecordMetadata metadata) {
        return new SourcePosition(metadata.topic(), metadata.partition(), metadata.offset());
    }

    private static OrderEvent paid(MemberKey member, String orderId, long totalMinor) {
        Money total = Money.newBuilder().setAmountMinor(totalMinor).setCurrency("CNY").build();
        return OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(member.merchantId())
                .setCustomerId(member.customerId())
                .setPayload(OrderPaid.newBuilder().setOrderId(orderId).setCouponCodes(List.of()).setCouponRedemptions(List.of())
                        .setLines(List.of(OrderLine.newBuilder().setSku("BEER-101").setCategory("drinks/beer").setQuantity(1)
                                .setUnitPrice(total).build()))
                        .setTotal(total).build())
                .build();
    }

    private static OrderEvent cancelled(MemberKey member, String orderId) {
        return OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(member.merchantId())
                .setCustomerId(member.customerId())
                .setPayload(OrderCancelled.newBuilder().setOrderId(orderId).build())
                .build();
    }

    private static RecordMetadata publish(MemberKey member, OrderEvent event) throws Exception {
        return publish(member.toString(), serializer.serialize(KitLedger.ORDERS.name(), event));
    }

    private static RecordMetadata publish(String key, byte[] value) throws Exception {
        Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(KitLedger.ORDERS.name(), key.getBytes(StandardCharsets.UTF_8), value));
        producer.flush();
        return sent.get(30, TimeUnit.SECONDS);
    }

    private long rows(MemberKey member) {
        return db.sql("select count(*) as n from kit_entry where merchant_id = :merchant").bind("merchant", member.merchantId())
                .map((row, meta) -> row.get("n", Long.class)).one().block();
    }

    /** Waits until the member has at least this many events, then reads a while longer so that an extra copy would show. */
    private static List<PointsEvent> awaitEvents(MemberKey member, int count) {
        await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(500)).until(() -> eventsOf(member, true, Duration.ofMillis(500)).size() >= count);
        List<PointsEvent> events = eventsOf(member, true, Duration.ofSeconds(2));
        assertThat(events).as("events of %s read_committed", member).hasSize(count);
        return events;
    }

    private static List<ConsumerRecord<byte[], byte[]>> recordsOf(MemberKey member) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : read(KitLedger.POINTS.name(), true, Duration.ofSeconds(1))) {
            if (member.toString().equals(new String(record.key(), StandardCharsets.UTF_8))) {
                records.add(record);
            }
        }
        return records;
    }

    private static List<PointsEvent> eventsOf(MemberKey member, boolean committedOnly, Duration window) {
        try (KafkaAvroDeserializer deserializer = new KafkaAvroDeserializer()) {
            deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url(), "specific.avro.reader", true), false);
            List<PointsEvent> events = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : read(KitLedger.POINTS.name(), committedOnly, window)) {
                if (member.toString().equals(new String(record.key(), StandardCharsets.UTF_8))) {
                    events.add((PointsEvent) deserializer.deserialize(record.topic(), record.value()));
                }
            }
            return events;
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, boolean committedOnly, Duration window) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(consumer.partitionsFor(topic).stream().map(partition -> new TopicPartition(topic, partition.partition())).toList());
            consumer.seekToBeginning(consumer.assignment());
            Instant deadline = Instant.now().plus(window);
            while (Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    private static long offsetOf(ConsumerRecord<byte[], byte[]> deadLetter) {
        return java.nio.ByteBuffer.wrap(deadLetter.headers().lastHeader("kafka_dlt-original-offset").value()).getLong();
    }

    /** Where a dead letter came from: its original partition and offset. */
    private static String sourceOf(ConsumerRecord<byte[], byte[]> deadLetter) {
        return java.nio.ByteBuffer.wrap(deadLetter.headers().lastHeader("kafka_dlt-original-partition").value()).getInt() + "@" + offsetOf(deadLetter);
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

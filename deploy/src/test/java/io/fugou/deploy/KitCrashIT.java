package io.fugou.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.Topics;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import io.fugou.serde.avro.KafkaAvroSerializer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kit's promise under the worst conditions: kit-demo runs as its own JVM and is SIGKILLed at
 * random moments, ten times (more if a kill falls after the work is done), while 20,000 orders and about
 * 2,000 duplicates of them arrive, and an operator makes 1,000 corrections over HTTP on the same members
 * (each with an Idempotency-Key, retried until answered, as a client does when its connection drops); it
 * is restarted each time. Afterwards every order and every correction is in the database once and its
 * event is on the output topic exactly once (read_committed), each member's numbered 1, 2, 3... in topic
 * order, orders in their order.
 */
class KitCrashIT {

    private static final int ORDERS = 20_000;
    private static final int MEMBERS = 200;
    private static final int KILLS = 10;
    private static final int ADJUSTMENTS = 1_000;
    private static final String MERCHANT = "crash";
    private static final String INPUT = "kit-crash.orders";
    private static final String OUTPUT = "kit-crash.points";

    private static LocalInfrastructure infrastructure;
    private static LocalPostgres.Database database;

    @BeforeAll
    static void start() throws Exception {
        infrastructure = LocalInfrastructure.start(LocalInfrastructure.Ports.ANY);
        database = infrastructure.postgres().database("kit_crash");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(INPUT, 6, (short) 1), new NewTopic(OUTPUT, 6, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (infrastructure != null) {
            infrastructure.close();
        }
    }

    @Test
    void shouldApplyEveryOrderOnceAndPublishEveryEventExactlyOnceThoughKilledTenTimes() throws Exception {
        Path projectDir = Path.of(System.getProperty("fugou.project.dir", "..")).toAbsolutePath().normalize();
        Path logDir = Files.createDirectories(projectDir.resolve("target/kit-crash"));
        // Before the shop starts its 100 s: the lives start from this class archive.
        KitDemo.prepare(projectDir, infrastructure, database, INPUT, OUTPUT, logDir);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        AtomicInteger published = new AtomicInteger();
        Thread shop = Thread.ofPlatform().name("shop").start(() -> publish(published));
        AtomicReference<String> serviceUrl = new AtomicReference<>();
        AtomicInteger adjusted = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger replayed = new AtomicInteger();
        Thread operator = Thread.ofPlatform().name("operator").start(() -> adjust(serviceUrl, adjusted, retries, replayed));

        // Killed until ten kills fell while orders or corrections were still arriving and being applied (a few more at
        // most). The operator needs more time up than ten lives of at most 3 s give it, so the tenth kill still finds work.
        List<String> killedAt = new ArrayList<>();
        int midWork = 0;
        for (int kill = 1; midWork < KILLS && kill <= KILLS + 5; kill++) {
            ServiceProcess service = KitDemo.start(projectDir, infrastructure, database, KitDemo.Mode.PIPELINE, INPUT, OUTPUT, logDir, false);
            serviceUrl.set(service.url());
            Thread.sleep(1000 + random.nextInt(2000));
            service.kill(); // requests in flight now fail, and are sent again with their key
            serviceUrl.set(null);
            int arrived = published.get();
            long rows = rows();
            if (arrived < ORDERS + duplicates() || rows < ORDERS + ADJUSTMENTS) {
                midWork++;
            }
            killedAt.add("kill " + kill + ": " + arrived + " published, " + rows + " rows");
        }
        shop.join(TimeUnit.MINUTES.toMillis(5));
        assertThat(published.get()).as("every input published").isEqualTo(ORDERS + duplicates());

        Map<String, List<PointsEvent>> eventsByMember;
        try (ServiceProcess last = KitDemo.start(projectDir, infrastructure, database, KitDemo.Mode.PIPELINE, INPUT, OUTPUT, logDir, false)) {
            serviceUrl.set(last.url());
            operator.join(TimeUnit.MINUTES.toMillis(5));
            assertThat(adjusted.get()).as("every correction answered").isEqualTo(ADJUSTMENTS);
            eventsByMember = awaitEvents(ORDERS + ADJUSTMENTS, Duration.ofMinutes(3));
        }
        System.out.println("Kill test (seed " + seed + "):\n  " + String.join("\n  ", killedAt));
        assertThat(midWork).as("kills while orders were arriving and being applied").isEqualTo(KILLS);
        assertThat(killedAt).as("work done between kills").anyMatch(line -> !line.endsWith(" 0 rows"));

        assertThat(rows()).as("orders and corrections in the database").isEqualTo(ORDERS + ADJUSTMENTS);
        List<PointsEvent> all = eventsByMember.values().stream().flatMap(List::stream).toList();
        assertThat(all).as("events on the output topic, read_committed").hasSize(ORDERS + ADJUSTMENTS);
        assertThat(all.stream().map(PointsEvent::getEventId).distinct().count()).as("distinct event ids").isEqualTo(ORDERS + ADJUSTMENTS);
        Set<String> entries = new HashSet<>();
        all.forEach(event -> entries.add(entryOf(event)));
        assertThat(entries.stream().filter(entry -> entry.startsWith("o-"))).as("every order has its event").hasSize(ORDERS);
        assertThat(entries.stream().filter(entry -> entry.startsWith("adj-"))).as("every correction has its event").hasSize(ADJUSTMENTS);
        eventsByMember.forEach((member, events) -> {
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).getSequence() != i + 1) {
                    System.out.println("  " + member + " out of sequence from index " + i + ": " + events.subList(Math.max(0, i - 3),
                            Math.min(events.size(), i + 10)).stream().map(event -> event.getSequence() + " " + entryOf(event)).toList());
                    break;
                }
            }
        });
        eventsByMember.forEach((member, events) -> {
            List<Integer> orders = events.stream().map(KitCrashIT::entryOf).filter(entry -> entry.startsWith("o-"))
                    .map(entry -> Integer.parseInt(entry.substring(2))).toList();
            assertThat(orders).as("%s's order events in the order of its orders", member).isSorted();
            assertThat(events).extracting(PointsEvent::getSequence).as("%s's events numbered in topic order", member)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
        });
        System.out.println("  corrections sent again after a dropped connection or a stopped service: " + retries.get()
                + " (" + replayed.get() + " answered by replaying the committed first answer)");
        System.out.println("  aborted copies in the log (invisible to read_committed readers): " + (countAll(false) - ORDERS - ADJUSTMENTS));
    }

    private static int duplicates() {
        int count = 0;
        for (int i = 0; i < ORDERS; i++) {
            if (isDuplicated(i)) {
                count++;
            }
        }
        return count;
    }

    /** Every tenth order after the first round is followed by the shop sending that member's previous order again. */
    private static boolean isDuplicated(int i) {
        return i >= MEMBERS && i % 10 == 0;
    }

    /** The shop: orders at about 200 per second for about 100 s (ten lives of kit-demo, each a start from its class archive of about 5 s and 1 to 3 s up, take about 80 s), some sent twice, each member's in order. */
    private static void publish(AtomicInteger published) {
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url()), false);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            long started = System.nanoTime();
            for (int i = 0; i < ORDERS; i++) {
                send(producer, serializer, i);
                published.incrementAndGet();
                if (isDuplicated(i)) {
                    send(producer, serializer, i - MEMBERS);
                    published.incrementAndGet();
                }
                long due = started + TimeUnit.MILLISECONDS.toNanos(5L * i);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, KafkaAvroSerializer serializer, int i) {
        String customer = "c-" + (i % MEMBERS);
        Money total = Money.newBuilder().setAmountMinor(1_000 + i).setCurrency("CNY").build();
        OrderEvent event = OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(MERCHANT)
                .setCustomerId(customer)
                .setPayload(OrderPaid.newBuilder().setOrderId("o-" + i).setCouponCodes(List.of()).setCouponRedemptions(List.of())
                        .setLines(List.of(OrderLine.newBuilder().setSku("SKU").setCategory("misc").setQuantity(1).setUnitPrice(total).build()))
                        .setTotal(total).build())
                .build();
        producer.send(new ProducerRecord<>(INPUT, (MERCHANT + ":" + customer).getBytes(StandardCharsets.UTF_8), serializer.serialize(INPUT, event)));
    }

    private static long rows() throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             ResultSet result = connection.createStatement().executeQuery(
                     "select count(*) from information_schema.tables where table_name = 'demo_entry'")) {
            result.next();
            if (result.getLong(1) == 0) {
                return 0;
            }
        }
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             ResultSet result = connection.createStatement().executeQuery("select count(*) from demo_entry where merchant_id = 'crash'")) {
            result.next();
            return result.getLong(1);
        }
    }

    private static String entryOf(PointsEvent event) {
        return event.getPayload() instanceof PointsAdjusted adjusted ? adjusted.getEntryId() : ((PointsEarned) event.getPayload()).getOrderId();
    }

    /**
     * The operator: 1,000 corrections, one every 40 ms or more while the service is up (at least 40 s of its
     * lives), spread over the shop's members, each sent until the service answers 201 (a first answer or the
     * replay of one), with the same Idempotency-Key every time.
     */
    private static void adjust(AtomicReference<String> serviceUrl, AtomicInteger adjusted, AtomicInteger retries, AtomicInteger replayed) {
        KitDemoClient client = new KitDemoClient(MERCHANT);
        try {
            for (int i = 0; i < ADJUSTMENTS; i++) {
                while (true) {
                    String url = serviceUrl.get();
                    if (url != null) {
                        try {
                            HttpResponse<String> response = client.adjust(url, "c-" + (i * 7 % MEMBERS), "adj-" + i, -(1 + i % 5));
                            if (response.statusCode() == 201) {
                                if (response.headers().firstValue("Idempotent-Replayed").isPresent()) {
                                    replayed.incrementAndGet();
                                }
                                break;
                            }
                            if (response.statusCode() < 500) {
                                throw new IllegalStateException("correction adj-" + i + " refused: " + response.statusCode() + " " + response.body());
                            }
                        } catch (java.io.IOException dropped) {
                            // killed mid-request: whether it committed is unknown, so it is sent again with its key
                        }
                        retries.incrementAndGet();
                    }
                    Thread.sleep(100);
                }
                adjusted.incrementAndGet();
                Thread.sleep(40);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the output read_committed until it holds at least {@code count} events, then a few seconds more. */
    private static Map<String, List<PointsEvent>> awaitEvents(int count, Duration timeout) {
        Map<String, List<PointsEvent>> byMember = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(true);
             KafkaAvroDeserializer deserializer = new KafkaAvroDeserializer()) {
            deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url(),
                    "specific.avro.reader", true, "avro.trusted.packages", Topics.EVENT_PACKAGES), false);
            int seen = 0;
            Instant deadline = Instant.now().plus(timeout);
            Instant quietUntil = null;
            while (Instant.now().isBefore(deadline) && (quietUntil == null || Instant.now().isBefore(quietUntil))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    PointsEvent event = (PointsEvent) deserializer.deserialize(OUTPUT, record.value());
                    byMember.computeIfAbsent(new String(record.key(), StandardCharsets.UTF_8), key -> new ArrayList<>()).add(event);
                    seen++;
                }
                if (seen >= count && quietUntil == null) {
                    quietUntil = Instant.now().plusSeconds(3);
                }
            }
        }
        return byMember;
    }

    private static long countAll(boolean committedOnly) {
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(committedOnly)) {
            Instant until = Instant.now().plusSeconds(3);
            while (Instant.now().isBefore(until)) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return count;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(boolean committedOnly) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(OUTPUT).stream().map(p -> new TopicPartition(OUTPUT, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}

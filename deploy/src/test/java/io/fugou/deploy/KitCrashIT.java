package io.fugou.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.Topics;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import io.fugou.serde.avro.KafkaAvroSerializer;
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
 * random moments, ten times (more if a kill falls after the work is done), while 20,000 orders and about 2,000 duplicates of them arrive; it is
 * restarted each time. Afterwards every order is in the database once and its event is on the output
 * topic exactly once (read_committed), in each member's order.
 */
class KitCrashIT {

    private static final int ORDERS = 20_000;
    private static final int MEMBERS = 200;
    private static final int KILLS = 10;
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
        long seed = System.nanoTime();
        Random random = new Random(seed);
        AtomicInteger published = new AtomicInteger();
        Thread shop = Thread.ofPlatform().name("shop").start(() -> publish(published));

        // Killed until ten kills fell while orders were still arriving and being applied (a few more at most).
        List<String> killedAt = new ArrayList<>();
        int midWork = 0;
        for (int kill = 1; midWork < KILLS && kill <= KILLS + 5; kill++) {
            ServiceProcess service = KitDemo.start(projectDir, infrastructure, database, KitDemo.Mode.PIPELINE, INPUT, OUTPUT, logDir, false);
            Thread.sleep(1000 + random.nextInt(4000));
            service.kill();
            int arrived = published.get();
            long rows = rows();
            if (arrived < ORDERS + duplicates() || rows < ORDERS) {
                midWork++;
            }
            killedAt.add("kill " + kill + ": " + arrived + " published, " + rows + " rows");
        }
        shop.join(TimeUnit.MINUTES.toMillis(5));
        assertThat(published.get()).as("every input published").isEqualTo(ORDERS + duplicates());

        Map<String, List<PointsEvent>> eventsByMember;
        try (ServiceProcess last = KitDemo.start(projectDir, infrastructure, database, KitDemo.Mode.PIPELINE, INPUT, OUTPUT, logDir, false)) {
            eventsByMember = awaitEvents(ORDERS, Duration.ofMinutes(3));
        }
        System.out.println("Kill test (seed " + seed + "):\n  " + String.join("\n  ", killedAt));
        assertThat(midWork).as("kills while orders were arriving and being applied").isEqualTo(KILLS);
        assertThat(killedAt).as("work done between kills").anyMatch(line -> !line.endsWith(" 0 rows"));

        assertThat(rows()).as("orders in the database").isEqualTo(ORDERS);
        List<PointsEvent> all = eventsByMember.values().stream().flatMap(List::stream).toList();
        assertThat(all).as("events on the output topic, read_committed").hasSize(ORDERS);
        assertThat(all.stream().map(PointsEvent::getEventId).distinct().count()).as("distinct event ids").isEqualTo(ORDERS);
        Set<String> orders = new HashSet<>();
        all.forEach(event -> orders.add(orderOf(event)));
        assertThat(orders).as("every order has its event").hasSize(ORDERS);
        eventsByMember.forEach((member, events) -> {
            List<Integer> numbers = events.stream().map(event -> Integer.parseInt(orderOf(event).substring(2))).toList();
            assertThat(numbers).as("%s's events in the order of its orders", member).isSorted();
        });
        System.out.println("  aborted copies in the log (invisible to read_committed readers): " + (countAll(false) - ORDERS));
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

    /** The shop: orders at about 125 per second for about 160 s, some sent twice, each member's in order. */
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
                long due = started + TimeUnit.MILLISECONDS.toNanos(8L * i);
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

    private static String orderOf(PointsEvent event) {
        return ((PointsEarned) event.getPayload()).getOrderId();
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

package io.fugou.deploy.bench;

import io.fugou.deploy.KitDemo;
import io.fugou.deploy.ServiceProcess;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.points.PointsEvent;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import io.fugou.serde.avro.KafkaAvroSerializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code deploy/bench kit}: the exactly-once kit's hot path measured against its limit, in one run
 * (shared/BENCH.md). kit-demo (one row and one event per record) runs in its own JVM with production
 * JVM settings; this JVM hosts the broker, PostgreSQL and the registry, generates the load and reads
 * the output read_committed.
 * <ol>
 * <li>the limit: the same rows inserted straight into PostgreSQL, set-based, a batch of the kit's size per transaction;</li>
 * <li>the kit: pre-serialised records published as fast as the broker takes them, counted when their event is
 * readable read_committed on the output topic (and their rows committed);</li>
 * <li>latency: records published at a fixed rate, from publish to output event seen by a read_committed consumer;</li>
 * <li>the naive handler (one transaction and one blocking publish per record) on a sample.</li>
 * </ol>
 */
final class KitBench {

    private static final int PARTITIONS = 6;
    private static final int BATCH = 2000;
    private static final int MEMBERS = 10_000;
    private static final Instant PAID_AT = Instant.parse("2026-11-01T00:00:00Z");

    private final Options options;
    private final LocalInfrastructure infrastructure;
    private final LocalPostgres.Database database;
    private final String run = Long.toString(System.currentTimeMillis(), 36);

    /** {@code warmUp}: orders published and processed before the measured ones; negative for the benchmark's own default. */
    record Options(int records, int naiveRecords, int rate, int latencySeconds, int warmUp, Path projectDir) {
    }

    private KitBench(Options options, LocalInfrastructure infrastructure) {
        this.options = options;
        this.infrastructure = infrastructure;
        this.database = infrastructure.postgres().database("kit_demo");
    }

    static BenchReport run(Options options) throws Exception {
        Bench.step("Starting Kafka, PostgreSQL and the schema registry");
        try (LocalInfrastructure infrastructure = LocalInfrastructure.start(LocalInfrastructure.Ports.ANY)) {
            return new KitBench(options, infrastructure).measure();
        }
    }

    private BenchReport measure() throws Exception {
        BenchReport report = new BenchReport("kit", options.records());
        Path logDir = options.projectDir().resolve("target/bench/logs");
        java.nio.file.Files.createDirectories(logDir);

        String input = "kit-bench-" + run + ".orders";
        String output = "kit-bench-" + run + ".points";
        createTopics(input, output);
        Bench.step("Serialising " + options.records() + " records");
        List<ProducerRecord<byte[], byte[]>> records = records(input, "kit", options.records());

        Bench.step("Starting kit-demo (pipeline) with production JVM settings; log: " + logDir.resolve("kit-demo.log"));
        double kitRate;
        Histogram latency;
        try (ServiceProcess kit = KitDemo.start(options.projectDir(), infrastructure, database, KitDemo.Mode.PIPELINE, input, output, logDir, true)) {
            kitRate = throughput("kit", records, output);
            long rows = rows("kit-%");
            if (rows != options.records()) {
                throw new IllegalStateException(rows + " rows committed for " + options.records() + " records");
            }
            latency = latency(input, output);
        }
        double rawRate = rawInsertRate(options.records());

        String naiveInput = "kit-bench-" + run + ".naive-orders";
        String naiveOutput = "kit-bench-" + run + ".naive-points";
        createTopics(naiveInput, naiveOutput);
        List<ProducerRecord<byte[], byte[]>> naiveRecords = records(naiveInput, "naive", options.naiveRecords());
        Bench.step("Starting kit-demo (naive: one transaction per record)");
        double naiveRate;
        try (ServiceProcess naive = KitDemo.start(options.projectDir(), infrastructure, database, KitDemo.Mode.NAIVE, naiveInput, naiveOutput, logDir, true)) {
            naiveRate = throughput("naive", naiveRecords, naiveOutput);
        }

        report.throughput("kit.records_per_s", kitRate, "records/s", "postgres.raw_insert_rows_per_s", rawRate);
        report.figure("postgres.raw_insert_rows_per_s", rawRate, "rows/s");
        report.figure("kit.naive_records_per_s", naiveRate, "records/s");
        report.figure("kit.speedup_over_naive", kitRate / naiveRate, "x");
        report.latency("kit.latency_p50_ms", latency.getValueAtPercentile(50), options.rate() + " records/s");
        report.latency("kit.latency_p99_ms", latency.getValueAtPercentile(99), options.rate() + " records/s");
        report.latency("kit.latency_max_ms", latency.getMaxValue(), options.rate() + " records/s");
        return report;
    }

    /** The limit: the same rows, the same table shape, straight in, a batch per transaction. */
    private double rawInsertRate(int count) throws SQLException {
        Bench.step("Inserting " + count + " rows straight into PostgreSQL (the limit), " + BATCH + " per statement");
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("drop table if exists raw_entry");
                ddl.execute("create table raw_entry (like demo_entry including all)");
            }
            long started = System.nanoTime();
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into raw_entry (merchant_id, customer_id, order_id, points, occurred_at, source_partition, source_offset)
                    select * from unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::timestamptz[], ?::int[], ?::bigint[])
                    on conflict (merchant_id, order_id) do nothing""")) {
                Progress progress = new Progress("raw insert", count);
                for (int from = 0; from < count; from += BATCH) {
                    int size = Math.min(BATCH, count - from);
                    String[] merchants = new String[size];
                    String[] customers = new String[size];
                    String[] orders = new String[size];
                    Long[] points = new Long[size];
                    Timestamp[] times = new Timestamp[size];
                    Integer[] partitions = new Integer[size];
                    Long[] offsets = new Long[size];
                    for (int j = 0; j < size; j++) {
                        int i = from + j;
                        merchants[j] = merchant(i);
                        customers[j] = customer(i);
                        orders[j] = "raw-" + i;
                        points[j] = amount(i) / 100;
                        times[j] = Timestamp.from(PAID_AT);
                        partitions[j] = i % PARTITIONS;
                        offsets[j] = (long) i;
                    }
                    bind(connection, insert, 1, "text", merchants);
                    bind(connection, insert, 2, "text", customers);
                    bind(connection, insert, 3, "text", orders);
                    bind(connection, insert, 4, "bigint", points);
                    bind(connection, insert, 5, "timestamptz", times);
                    bind(connection, insert, 6, "int", partitions);
                    bind(connection, insert, 7, "bigint", offsets);
                    insert.executeUpdate();
                    progress.at(from + size);
                }
            }
            double rate = count / seconds(System.nanoTime() - started);
            Bench.step(String.format("Raw insert: %,.0f rows/s", rate));
            return rate;
        }
    }

    private static void bind(Connection connection, PreparedStatement statement, int index, String type, Object[] values) throws SQLException {
        Array array = connection.createArrayOf(type, values);
        statement.setArray(index, array);
    }

    /** Publishes every record as fast as the broker takes them; the rate is records whose event is readable read_committed. */
    private double throughput(String name, List<ProducerRecord<byte[], byte[]>> records, String output) throws Exception {
        AtomicLong seen = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread counter = Thread.ofPlatform().name("count-" + name).start(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                assignFromStart(consumer, output);
                while (!done.get() && seen.get() < records.size()) {
                    seen.addAndGet(consumer.poll(Duration.ofMillis(100)).count());
                }
            }
        });
        Bench.step("Publishing " + records.size() + " records to the " + name + " input");
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record);
            }
            producer.flush();
        }
        double publishSeconds = seconds(System.nanoTime() - started);
        Bench.step(String.format("Published in %.1f s (%,.0f records/s); waiting for the output", publishSeconds, records.size() / publishSeconds));
        Progress progress = new Progress(name + " output events", records.size());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (seen.get() < records.size()) {
            if (System.nanoTime() > deadline) {
                done.set(true);
                throw new IllegalStateException(name + ": only " + seen.get() + " of " + records.size() + " events after 20 minutes");
            }
            progress.at(seen.get());
            Thread.sleep(100);
        }
        double elapsed = seconds(System.nanoTime() - started);
        counter.join();
        if (seen.get() != records.size()) {
            throw new IllegalStateException(name + ": " + seen.get() + " events for " + records.size() + " records");
        }
        double rate = records.size() / elapsed;
        Bench.step(String.format("%s: %,d records in %.1f s: %,.0f records/s end to end", name, records.size(), elapsed, rate));
        return rate;
    }

    /** Publishes at a fixed rate; latency is from publish to the output event seen read_committed. */
    private Histogram latency(String input, String output) throws Exception {
        int warmUpSeconds = Bench.LATENCY_WARM_UP_SECONDS;
        int total = options.rate() * (warmUpSeconds + options.latencySeconds());
        int warmUp = options.rate() * warmUpSeconds;
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMillis(10), 3);
        LatencyBySecond bySecond = new LatencyBySecond(options.rate(), warmUp, options.latencySeconds(), histogram);
        AtomicLong measured = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread reader = Thread.ofPlatform().name("latency").start(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer();
                 KafkaAvroDeserializer deserializer = BenchClients.deserializer(infrastructure)) {
                List<TopicPartition> partitions = partitions(consumer, output);
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                while (!done.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.currentTimeMillis();
                        PointsEvent event = (PointsEvent) deserializer.deserialize(output, record.value());
                        String orderId = ((io.fugou.events.points.PointsEarned) event.getPayload()).getOrderId();
                        if (bySecond.record(Integer.parseInt(orderId.substring(orderId.lastIndexOf('-') + 1)),
                                Math.max(0, now - event.getOccurredAt().toEpochMilli()))) {
                            measured.incrementAndGet();
                        }
                    }
                }
            }
        });
        Thread.sleep(2000); // the reader has its position before the first record goes out
        Bench.step("Publishing " + options.rate() + " records/s for " + (warmUpSeconds + options.latencySeconds())
                + " s (the first " + warmUpSeconds + " s warm up and are not counted)");
        KafkaAvroSerializer serializer = serializer();
        try (KafkaProducer<byte[], byte[]> producer = producer(0)) {
            long started = System.nanoTime();
            long interval = TimeUnit.SECONDS.toNanos(1) / options.rate();
            for (int i = 0; i < total; i++) {
                long due = started + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                // Serialised when sent: its time is the publish time (about 10 µs of the 1 ms between records).
                OrderEvent event = order("latency", i, Instant.now());
                producer.send(new ProducerRecord<>(input, key(i), serializer.serialize(input, event)));
                if (i % options.rate() == 0 && i > 0) {
                    Bench.progress(String.format("latency: %d s, %,d measured, p99 so far %d ms", i / options.rate(), measured.get(),
                            histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(99)));
                }
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (measured.get() < total - warmUp && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        done.set(true);
        reader.join();
        Bench.step(String.format("Latency at %d records/s over %,d records: p50 %d ms, p99 %d ms, max %d ms", options.rate(),
                histogram.getTotalCount(), histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getMaxValue()));
        Bench.step(bySecond.summary());
        return histogram;
    }

    private long rows(String orderIdPattern) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             PreparedStatement count = connection.prepareStatement("select count(*) from demo_entry where order_id like ?")) {
            count.setString(1, orderIdPattern);
            try (ResultSet result = count.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private List<ProducerRecord<byte[], byte[]>> records(String topic, String prefix, int count) {
        KafkaAvroSerializer serializer = serializer();
        Progress progress = new Progress("serialised", count);
        List<ProducerRecord<byte[], byte[]>> records = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(topic, key(i), serializer.serialize(topic, order(prefix, i, PAID_AT))));
            progress.at(i + 1);
        }
        return records;
    }

    private static OrderEvent order(String prefix, int i, Instant paidAt) {
        Money total = Money.newBuilder().setAmountMinor(amount(i)).setCurrency("CNY").build();
        return OrderEvent.newBuilder()
                .setEventId(java.util.UUID.randomUUID().toString())
                .setOccurredAt(paidAt.truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(merchant(i))
                .setCustomerId(customer(i))
                .setPayload(OrderPaid.newBuilder().setOrderId(prefix + "-" + i).setCouponCodes(List.of()).setCouponRedemptions(List.of())
                        .setLines(List.of(OrderLine.newBuilder().setSku("SKU-" + (i % 500)).setCategory("drinks/beer").setQuantity(1)
                                .setUnitPrice(total).build()))
                        .setTotal(total).build())
                .build();
    }

    private static String merchant(int i) {
        return "bench-" + (i % 4);
    }

    private static String customer(int i) {
        return "c-" + (i % MEMBERS);
    }

    private static long amount(int i) {
        return 100 + (i * 7919L) % 50_000;
    }

    private static byte[] key(int i) {
        return (merchant(i) + ":" + customer(i)).getBytes(StandardCharsets.UTF_8);
    }

    private KafkaAvroSerializer serializer() {
        return BenchClients.serializer(infrastructure);
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return producer(10);
    }

    private KafkaProducer<byte[], byte[]> producer(int lingerMs) {
        return BenchClients.producer(infrastructure, lingerMs);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return BenchClients.readCommitted(infrastructure);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static void assignFromStart(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> partitions = partitions(consumer, topic);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private void createTopics(String... names) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers()))) {
            admin.createTopics(java.util.Arrays.stream(names).map(name -> new NewTopic(name, PARTITIONS, (short) 1)).toList())
                    .all().get(60, TimeUnit.SECONDS);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** A progress line at most every two seconds. */
    static final class Progress {
        private final String what;
        private final long total;
        private final long started = System.nanoTime();
        private long lastPrinted = System.nanoTime();

        Progress(String what, long total) {
            this.what = what;
            this.total = total;
        }

        void at(long done) {
            long now = System.nanoTime();
            if (now - lastPrinted >= TimeUnit.SECONDS.toNanos(2) || done == total) {
                lastPrinted = now;
                double elapsed = seconds(now - started);
                Bench.progress(String.format("%s: %,d of %,d (%.0f%%), %,.0f/s", what, done, total, 100.0 * done / total, done / elapsed));
            }
        }
    }
}

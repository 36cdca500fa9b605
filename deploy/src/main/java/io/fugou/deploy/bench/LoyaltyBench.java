package io.fugou.deploy.bench;

import io.fugou.deploy.ServiceJar;
import io.fugou.deploy.ServiceProcess;
import io.fugou.events.Topics;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import io.fugou.serde.avro.KafkaAvroSerializer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code deploy/bench loyalty}: loyalty-service's order path measured against its limit, in one run
 * (shared/BENCH.md). loyalty-service runs from its jar with production JVM settings; this JVM hosts the
 * broker, PostgreSQL and the registry, generates the orders and reads {@code fugou.points.v1}
 * read_committed.
 * <ol>
 * <li>warm-up: orders of the week after (so the measured orders meet their own days as in a cold run), until every
 * one has earned: the service's JVM, the broker and the reader compile their paths on the load, and the throughput
 * of a service that has run before is the one measured. Their rate is reported too, as the cold start's;</li>
 * <li>throughput: paid orders with 1 to 4 realistic lines, scored by real rules (category and member-day
 * multipliers, caps, a return window), put on the topic in one Kafka transaction and timed from its commit: from when
 * the service, reading read_committed, can first see them (publishing a million orders at once on the same two cores
 * would otherwise be measured as the service's work), to when the last {@code PointsEarned} is readable read_committed
 * (after the ledger committed);</li>
 * <li>the limit: the same rows (the order with its lines, its ledger entry) inserted straight into
 * PostgreSQL, set-based, a batch of the pipeline's size per transaction;</li>
 * <li>latency at a fixed 1,000 orders/s: from an order's publish to its {@code PointsEarned} seen
 * read_committed. The points are readable over the API a little earlier (the database commits before
 * the Kafka transaction), so this bounds the API latency from above.</li>
 * </ol>
 */
final class LoyaltyBench {

    private static final int BATCH = 2000;
    private static final int MEMBERS = 40_000;
    private static final String[] CATEGORIES = {"drinks/beer", "drinks/wine", "snacks", "home/kitchen"};
    private static final String WARM_UP_PREFIX = "warm-";
    private static final String MEASURED_PREFIX = "bulk-";

    private final KitBench.Options options;
    private final LocalInfrastructure infrastructure;
    private final LocalPostgres.Database database;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final Instant paidFrom = Instant.now().plus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS);

    private LoyaltyBench(KitBench.Options options, LocalInfrastructure infrastructure) {
        this.options = options;
        this.infrastructure = infrastructure;
        this.database = infrastructure.postgres().database("loyalty_service");
    }

    static BenchReport run(KitBench.Options options) throws Exception {
        Bench.step("Starting Kafka, PostgreSQL and the schema registry");
        try (LocalInfrastructure infrastructure = LocalInfrastructure.start(LocalInfrastructure.Ports.ANY)) {
            return new LoyaltyBench(options, infrastructure).measure();
        }
    }

    private BenchReport measure() throws Exception {
        BenchReport report = new BenchReport("loyalty", options.records());
        Path logDir = options.projectDir().resolve("target/bench/logs");
        Files.createDirectories(logDir);
        Bench.step("Starting loyalty-service with production JVM settings; log: " + logDir.resolve("loyalty-service.log"));
        double rate;
        double warmUpRate = Double.NaN;
        Histogram latency;
        try (ServiceProcess loyalty = ServiceJar.start("loyalty-service", options.projectDir(), infrastructure, database, logDir)) {
            for (int m = 0; m < 4; m++) {
                configureRules(loyalty, merchant(m));
            }
            int warmUp = warmUpOrders(options);
            if (warmUp > 0) {
                Bench.step("Serialising " + warmUp + " warm-up orders (the week after the measured one; not counted)");
                warmUpRate = throughput("warm-up", WARM_UP_PREFIX, orders(WARM_UP_PREFIX, warmUp, 1));
            }
            Bench.step("Serialising " + options.records() + " paid orders");
            rate = throughput("loyalty", MEASURED_PREFIX, orders(MEASURED_PREFIX, options.records(), 0));
            long recorded = count("select count(*) from paid_order where merchant_id like ? and order_id like '" + MEASURED_PREFIX + "%'",
                    "lb-" + run + "-%");
            if (recorded != options.records()) {
                throw new IllegalStateException(recorded + " orders recorded for " + options.records() + " published");
            }
            latency = latency();
        }
        double rawRate = rawInsertRate(options.records());
        report.throughput("loyalty.orders_per_s", rate, "orders/s", "postgres.raw_insert_orders_per_s", rawRate);
        report.figure("postgres.raw_insert_orders_per_s", rawRate, "orders/s");
        if (!Double.isNaN(warmUpRate)) {
            report.figure("loyalty.warm_up_orders_per_s", warmUpRate, "orders/s");
            report.warmUp(warmUpOrders(options));
        }
        report.latency("loyalty.latency_p50_ms", latency.getValueAtPercentile(50), options.rate() + " orders/s");
        report.latency("loyalty.latency_p99_ms", latency.getValueAtPercentile(99), options.rate() + " orders/s");
        report.latency("loyalty.latency_max_ms", latency.getMaxValue(), options.rate() + " orders/s");
        return report;
    }

    /** Rules with something to do for every order: a category multiplier, a member day, caps, a seven-day window. */
    private void configureRules(ServiceProcess loyalty, String merchant) throws Exception {
        String body = """
                {"rules": {"baseRates": [{"currency": "CNY", "points": 1, "per": 100}],
                           "categoryMultipliers": [{"category": "drinks", "percent": 200}, {"category": "drinks/wine", "percent": 300}],
                           "memberDays": [{"dayOfWeek": "%s", "percent": 200}],
                           "caps": {"perOrder": 20000, "perMemberPerDay": 50000}, "returnWindowDays": 7}}"""
                .formatted(paidFrom.atZone(java.time.ZoneId.of("Asia/Shanghai")).getDayOfWeek().plus(1));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(loyalty.url() + "/api/v1/earning-rules/versions"))
                .header("Authorization", "Bearer " + ServiceJar.token(merchant, List.of("loyalty:write")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("rules for " + merchant + ": " + response.statusCode() + " " + response.body());
        }
    }

    /**
     * Orders published before the measured ones, 30% of their number unless {@code --warm-up} says. On a cold start the
     * rate climbs for about half a million orders (from 10,000 to 25,000 orders/s in the first run that showed it): the
     * service's JVM compiled its path in the first 15 s, the broker's and the reader's (in this JVM) went on for 30 s,
     * and the service's consumers and PostgreSQL meet their first rows.
     */
    private static int warmUpOrders(KitBench.Options options) {
        return options.warmUp() >= 0 ? options.warmUp() : options.records() / 10 * 3;
    }

    private double throughput(String label, String prefix, List<ProducerRecord<byte[], byte[]>> orders) throws Exception {
        AtomicLong seen = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread counter = Thread.ofPlatform().name("count-points").start(() -> readEarned(done, earned -> {
            if (earned.getOrderId().startsWith(prefix)) {
                seen.incrementAndGet();
            }
        }));
        Thread.sleep(2000); // the reader has its position before the first order goes out
        Bench.step("Publishing " + orders.size() + " orders to " + Topics.ORDERS.name() + " in one transaction");
        long started;
        try (KafkaProducer<byte[], byte[]> producer = BenchClients.transactionalProducer(infrastructure, "loyalty-bench-" + run + "-" + label)) {
            producer.initTransactions();
            producer.beginTransaction();
            long publishing = System.nanoTime();
            for (ProducerRecord<byte[], byte[]> order : orders) {
                producer.send(order);
            }
            producer.flush();
            double publishSeconds = (System.nanoTime() - publishing) / 1e9;
            Bench.step(String.format("Published in %.1f s (%,.0f orders/s), not readable yet; committing, the clock starts", publishSeconds,
                    orders.size() / publishSeconds));
            // The service reads read_committed: the orders are on the topic, and it sees them from the commit on.
            started = System.nanoTime();
            producer.commitTransaction();
        }
        Bench.step("Committed; waiting for their points");
        KitBench.Progress progress = new KitBench.Progress("PointsEarned read_committed", orders.size());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        long lastSeen = -1;
        long movedAt = System.nanoTime();
        while (seen.get() < orders.size()) {
            if (seen.get() != lastSeen) {
                lastSeen = seen.get();
                movedAt = System.nanoTime();
            }
            // A dead-lettered order never earns: stop on a minute without progress rather than wait out the deadline.
            if (System.nanoTime() > deadline || System.nanoTime() - movedAt > TimeUnit.MINUTES.toNanos(1)) {
                done.set(true);
                throw new IllegalStateException("only " + seen.get() + " of " + orders.size() + " orders earned, and no more for "
                        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - movedAt) + " s; see " + Topics.ORDERS.deadLetterTopic()
                        + " and the service's log");
            }
            progress.at(seen.get());
            Thread.sleep(100);
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Thread.sleep(1000);
        done.set(true);
        counter.join();
        if (seen.get() != orders.size()) {
            throw new IllegalStateException(seen.get() + " PointsEarned for " + orders.size() + " orders");
        }
        double rate = orders.size() / elapsed;
        Bench.step(String.format("%s: %,d orders in %.1f s: %,.0f orders/s from topic to ledger and published event", label, orders.size(),
                elapsed, rate));
        return rate;
    }

    private Histogram latency() throws Exception {
        int warmUpSeconds = Bench.LATENCY_WARM_UP_SECONDS;
        int total = options.rate() * (warmUpSeconds + options.latencySeconds());
        int warmUp = options.rate() * warmUpSeconds;
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMillis(10), 3);
        LatencyBySecond bySecond = new LatencyBySecond(options.rate(), warmUp, options.latencySeconds(), histogram);
        AtomicLong measured = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Map<String, Long> publishedAt = new java.util.concurrent.ConcurrentHashMap<>();
        Thread reader = Thread.ofPlatform().name("latency").start(() -> readEarned(done, earned -> {
            Long sent = publishedAt.get(earned.getOrderId());
            if (sent != null && bySecond.record(Integer.parseInt(earned.getOrderId().substring("latency-".length())),
                    Math.max(0, System.currentTimeMillis() - sent))) {
                measured.incrementAndGet();
            }
        }));
        Thread.sleep(2000);
        Bench.step("Publishing " + options.rate() + " orders/s for " + (warmUpSeconds + options.latencySeconds())
                + " s (the first " + warmUpSeconds + " s warm up and are not counted)");
        KafkaAvroSerializer serializer = serializer();
        try (KafkaProducer<byte[], byte[]> producer = producer(0)) {
            long started = System.nanoTime();
            long interval = TimeUnit.SECONDS.toNanos(1) / options.rate();
            for (int i = 0; i < total; i++) {
                long wait = started + i * interval - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                OrderEvent order = order("latency-" + i, i, Instant.now());
                publishedAt.put("latency-" + i, System.currentTimeMillis());
                producer.send(new ProducerRecord<>(Topics.ORDERS.name(), key(i), serializer.serialize(Topics.ORDERS.name(), order)));
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
        Bench.step(String.format("Latency at %d orders/s over %,d orders: p50 %d ms, p99 %d ms, max %d ms", options.rate(),
                histogram.getTotalCount(), histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getMaxValue()));
        Bench.step(bySecond.summary());
        return histogram;
    }

    /** Reads fugou.points.v1 read_committed from its end, handing each PointsEarned on, until {@code done}. */
    private void readEarned(AtomicBoolean done, java.util.function.Consumer<PointsEarned> onEarned) {
        try (KafkaConsumer<byte[], byte[]> consumer = BenchClients.readCommitted(infrastructure);
             KafkaAvroDeserializer deserializer = BenchClients.deserializer(infrastructure)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.POINTS.name()).stream()
                    .map(p -> new TopicPartition(Topics.POINTS.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!done.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    PointsEvent event = (PointsEvent) deserializer.deserialize(Topics.POINTS.name(), record.value());
                    if (event.getPayload() instanceof PointsEarned earned && earned.getOrderId() != null
                            && event.getMerchantId().startsWith("lb-" + run + "-")) {
                        onEarned.accept(earned);
                    }
                }
            }
        }
    }

    /** The limit: each order's rows (the order with its lines, its ledger entry) straight in, a batch per transaction. */
    private double rawInsertRate(int count) throws SQLException {
        Bench.step("Inserting " + count + " orders' rows straight into PostgreSQL (the limit), " + BATCH + " per transaction");
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("drop table if exists raw_paid_order");
                ddl.execute("drop table if exists raw_points_entry");
                ddl.execute("create table raw_paid_order (like paid_order including all)");
                ddl.execute("create table raw_points_entry (like points_entry including all)");
            }
            connection.setAutoCommit(false);
            long started = System.nanoTime();
            try (PreparedStatement orders = connection.prepareStatement("""
                    insert into raw_paid_order (merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at,
                                                rules_version, points, available_at, released, lines, source_partition, source_offset)
                    select m, o, c, e, t, 'CNY', n, p, 1, pts, a, false, cast(l as json), sp, so
                    from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::int[], ?::timestamptz[], ?::bigint[],
                                ?::timestamptz[], ?::text[], ?::int[], ?::bigint[]) as u(m, o, c, e, t, n, p, pts, a, l, sp, so)""");
                 PreparedStatement entries = connection.prepareStatement("""
                    insert into raw_points_entry (merchant_id, customer_id, entry_id, kind, order_id, points, pending_delta, balance_after,
                                                  pending_after, sequence, occurred_at, available_at, rule_ids, source_topic, source_partition,
                                                  source_offset)
                    select m, c, 'order:' || o, 'earned', o, pts, pts, 0, pts, s, p, a, string_to_array('rules-v1,base-rate:CNY', ','),
                           'commerce.orders.v1', sp, so
                    from unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::bigint[])
                         as u(m, c, o, pts, s, p, a, sp, so)""")) {
                KitBench.Progress progress = new KitBench.Progress("raw insert", count);
                for (int from = 0; from < count; from += BATCH) {
                    int size = Math.min(BATCH, count - from);
                    Object[][] columns = new Object[12][size];
                    for (int j = 0; j < size; j++) {
                        int i = from + j;
                        List<OrderLine> lines = lines(i);
                        long total = lines.stream().mapToLong(l -> l.getPaidAmount().getAmountMinor()).sum();
                        columns[0][j] = "raw-" + merchant(i % 4);
                        columns[1][j] = "raw-" + i;
                        columns[2][j] = customer(i);
                        columns[3][j] = UUID.randomUUID().toString();
                        columns[4][j] = total;
                        columns[5][j] = lines.size();
                        columns[6][j] = Timestamp.from(paidAt(i, 0));
                        columns[7][j] = total / 100;
                        columns[8][j] = Timestamp.from(paidAt(i, 0).plus(Duration.ofDays(8)));
                        columns[9][j] = linesJson(lines);
                        columns[10][j] = i % 6;
                        columns[11][j] = (long) i;
                    }
                    String[] types = {"text", "text", "text", "text", "bigint", "int", "timestamptz", "bigint", "timestamptz", "text", "int", "bigint"};
                    for (int c = 0; c < columns.length; c++) {
                        orders.setArray(c + 1, connection.createArrayOf(types[c], columns[c]));
                    }
                    orders.executeUpdate();
                    Object[][] entryColumns = {columns[0], columns[2], columns[1], columns[7], sequenceColumn(from, size), columns[6], columns[8],
                            columns[10], columns[11]};
                    String[] entryTypes = {"text", "text", "text", "bigint", "bigint", "timestamptz", "timestamptz", "int", "bigint"};
                    for (int c = 0; c < entryColumns.length; c++) {
                        entries.setArray(c + 1, connection.createArrayOf(entryTypes[c], entryColumns[c]));
                    }
                    entries.executeUpdate();
                    connection.commit();
                    progress.at(from + size);
                }
            }
            double rate = count / ((System.nanoTime() - started) / 1e9);
            Bench.step(String.format("Raw insert: %,.0f orders/s (an order row and a ledger entry each)", rate));
            return rate;
        }
    }

    private static Object[] sequenceColumn(int from, int size) {
        Object[] sequences = new Object[size];
        for (int j = 0; j < size; j++) {
            sequences[j] = (long) (from + j) / MEMBERS + 1;
        }
        return sequences;
    }

    private static String linesJson(List<OrderLine> lines) {
        StringBuilder json = new StringBuilder("[");
        for (OrderLine line : lines) {
            if (json.length() > 1) {
                json.append(',');
            }
            long paid = line.getPaidAmount().getAmountMinor();
            json.append(String.format("{\"key\":\"%s\",\"sku\":\"%s\",\"quantity\":%d,\"paidMinor\":%d,\"points\":%d,\"refundedMinor\":0,"
                    + "\"refundedQuantity\":0,\"reversed\":0}", line.getLineId(), line.getSku(), line.getQuantity(), paid, paid / 100));
        }
        return json.append(']').toString();
    }

    private long count(String sql, String parameter) throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private List<ProducerRecord<byte[], byte[]>> orders(String prefix, int count, int week) {
        KafkaAvroSerializer serializer = serializer();
        KitBench.Progress progress = new KitBench.Progress("serialised", count);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(Topics.ORDERS.name(), key(i), serializer.serialize(Topics.ORDERS.name(),
                    order(prefix + i, i, paidAt(i, week)))));
            progress.at(i + 1);
        }
        return records;
    }

    /** Spread over a week (the {@code week}-th from the first), so member days and per-day caps have work. */
    private Instant paidAt(int i, int week) {
        return paidFrom.plus(Duration.ofDays(7L * week)).plus(Duration.ofMinutes(i % (7 * 24 * 60)));
    }

    private OrderEvent order(String orderId, int i, Instant paidAt) {
        List<OrderLine> lines = lines(i);
        long total = lines.stream().mapToLong(l -> l.getPaidAmount().getAmountMinor()).sum();
        return OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(paidAt.truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(merchant(i % 4))
                .setCustomerId(customer(i))
                .setPayload(OrderPaid.newBuilder().setOrderId(orderId).setCouponCodes(List.of()).setCouponRedemptions(List.of())
                        .setLines(lines).setTotal(yuan(total)).setSalesChannel("app").build())
                .build();
    }

    /** One to four lines of one to three units, priced 1.00 to 300.00, each paid in full. */
    private static List<OrderLine> lines(int i) {
        int count = 1 + Math.floorMod(i * 31, 4);
        List<OrderLine> lines = new ArrayList<>(count);
        for (int l = 0; l < count; l++) {
            long unit = 100 + Math.floorMod(i * 7919L + l * 104_729L, 30_000);
            int quantity = 1 + Math.floorMod(i + l, 3);
            lines.add(OrderLine.newBuilder().setLineId("L" + (l + 1)).setSku("SKU-" + Math.floorMod(i * 13 + l, 500))
                    .setCategory(CATEGORIES[Math.floorMod(i + l * 3, CATEGORIES.length)]).setQuantity(quantity)
                    .setUnitPrice(yuan(unit)).setPaidAmount(yuan(unit * quantity)).build());
        }
        return lines;
    }

    private static Money yuan(long minor) {
        return Money.newBuilder().setAmountMinor(minor).setCurrency("CNY").build();
    }

    private String merchant(int m) {
        return "lb-" + run + "-" + m;
    }

    private static String customer(int i) {
        return "c-" + (i % MEMBERS);
    }

    private byte[] key(int i) {
        return (merchant(i % 4) + ":" + customer(i)).getBytes(StandardCharsets.UTF_8);
    }

    private KafkaAvroSerializer serializer() {
        return BenchClients.serializer(infrastructure);
    }

    private KafkaProducer<byte[], byte[]> producer(int lingerMs) {
        return BenchClients.producer(infrastructure, lingerMs);
    }
}

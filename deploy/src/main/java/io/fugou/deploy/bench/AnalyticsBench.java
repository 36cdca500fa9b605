package io.fugou.deploy.bench;

import io.fugou.deploy.ServiceJar;
import io.fugou.deploy.ServiceProcess;
import io.fugou.events.Topics;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroSerializer;
import io.fugou.serde.avro.SpecificAvroSerde;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;

/**
 * {@code deploy/bench analytics}: analytics-service's topologies (shared/BENCH.md). analytics-service runs from its jar with
 * production JVM settings; this JVM hosts the broker, PostgreSQL and the registry and publishes the orders.
 * <ol>
 * <li>the replay: N paid orders (1,000,000 by default; 40,000 buyers of 4 merchants, event times over 360 days, 1 to 3
 * lines in 4 categories) are on {@code commerce.orders.v1} before analytics-service starts, as when it is started on a
 * shop's retained history; the clock runs from its start until its figures count every order (the 365-day figures, over
 * HTTP), giving {@code analytics.replay_1m_orders_s} and, from the first order counted, {@code analytics.orders_per_s};</li>
 * <li>the limit: the same records read by a plain consumer (bytes, read_committed) in the same run;</li>
 * <li>the lag at a fixed rate (1,000 orders/s by default): each order a new buyer's first, from its publish to the
 * merchant's 30-day buyers figure counting it (polled over HTTP every 10 ms).</li>
 * </ol>
 */
final class AnalyticsBench {

    private static final int MERCHANTS = 4;
    private static final int BUYERS = 40_000;
    private static final String[] CATEGORIES = {"drinks/beer", "drinks/tea", "snacks", "household"};
    private static final Pattern ORDERS = Pattern.compile("\"orders\":(\\d+)");
    private static final Pattern BUYERS_FIGURE = Pattern.compile("\"buyers\":(\\d+)");

    private final KitBench.Options options;
    private final LocalInfrastructure infrastructure;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final HttpClient http = HttpClient.newHttpClient();

    private AnalyticsBench(KitBench.Options options, LocalInfrastructure infrastructure) {
        this.options = options;
        this.infrastructure = infrastructure;
    }

    static BenchReport run(KitBench.Options options) throws Exception {
        Bench.step("Starting Kafka, PostgreSQL and the schema registry");
        try (LocalInfrastructure infrastructure = LocalInfrastructure.start(LocalInfrastructure.Ports.ANY)) {
            return new AnalyticsBench(options, infrastructure).measure();
        }
    }

    private BenchReport measure() throws Exception {
        BenchReport report = new BenchReport("analytics", options.records());
        Path logDir = options.projectDir().resolve("target/bench/logs");
        Files.createDirectories(logDir);
        KafkaAvroSerializer serializer = BenchClients.serializer(infrastructure);
        Bench.step("Serialising and publishing " + options.records() + " paid orders of " + BUYERS + " buyers to " + Topics.ORDERS.name());
        KitBench.Progress published = new KitBench.Progress("published", options.records());
        Random random = new Random(42);
        Instant now = Instant.now();
        try (KafkaProducer<byte[], byte[]> producer = BenchClients.producer(infrastructure, 10)) {
            for (int i = 0; i < options.records(); i++) {
                int buyer = i % BUYERS;
                Instant paidAt = now.minus(Duration.ofMinutes(random.nextInt(360 * 24 * 60))).truncatedTo(ChronoUnit.MILLIS);
                producer.send(record(serializer, merchant(buyer % MERCHANTS), "b" + buyer, "o" + i, paidAt, random));
                published.at(i + 1);
            }
            producer.flush();
        }
        double raw = rawConsumeRate(options.records());
        double floor = streamsFloorRate(options.records());

        Bench.step("Starting analytics-service with production JVM settings on the retained orders; log: " + logDir.resolve("analytics-service.log"));
        long started = System.nanoTime();
        double rate;
        double replaySeconds;
        Histogram lag;
        try (ServiceProcess analytics = ServiceJar.start("analytics-service", options.projectDir(), infrastructure,
                infrastructure.postgres().database("analytics_service"), logDir)) {
            List<String> tokens = new ArrayList<>();
            for (int m = 0; m < MERCHANTS; m++) {
                tokens.add(ServiceJar.token(merchant(m), List.of("analytics:read")));
            }
            KitBench.Progress counted = new KitBench.Progress("orders counted in the figures", options.records());
            long first = 0;
            long total = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
            while (total < options.records()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + total + " of " + options.records() + " orders counted after 60 minutes");
                }
                total = 0;
                for (int m = 0; m < MERCHANTS; m++) {
                    String body = get(analytics.url() + "/api/v1/analytics/repurchase?window=365d", tokens.get(m));
                    Matcher orders = ORDERS.matcher(body);
                    while (orders.find()) {
                        total += Long.parseLong(orders.group(1)); // first orders and repeat orders
                    }
                }
                if (first == 0 && total > 0) {
                    first = System.nanoTime();
                }
                counted.at(total);
                if (total > options.records()) {
                    throw new IllegalStateException(total + " orders counted for " + options.records() + " published");
                }
                Thread.sleep(250);
            }
            long finished = System.nanoTime();
            replaySeconds = (finished - started) / 1e9;
            rate = options.records() / ((finished - first) / 1e9);
            Bench.step(String.format("analytics: %,d orders replayed in %.1f s from its start (%,.0f orders/s from the first counted)",
                    options.records(), replaySeconds, rate));
            lag = lag(analytics, serializer);
        }
        report.throughput("analytics.orders_per_s", rate, "orders/s", "kafka.raw_consume_orders_per_s", raw);
        report.figure("kafka.raw_consume_orders_per_s", raw, "orders/s");
        report.throughput("kafka.streams_floor_orders_per_s", floor, "orders/s", "kafka.raw_consume_orders_per_s", raw);
        report.figure("analytics.replay_1m_orders_s", replaySeconds * 1_000_000 / options.records(), "s");
        report.latency("analytics.lag_p50_ms", lag.getValueAtPercentile(50), options.rate() + " orders/s");
        report.latency("analytics.lag_p99_ms", lag.getValueAtPercentile(99), options.rate() + " orders/s");
        report.latency("analytics.lag_max_ms", lag.getMaxValue(), options.rate() + " orders/s");
        return report;
    }

    /**
     * The limit: the same records read as bytes, read_committed, by one plain consumer. Read three times, the median kept: one
     * read of a million small records takes about a second here, and single reads of the same run varied by half.
     */
    private double rawConsumeRate(int count) {
        Bench.step("Reading the " + count + " orders with a plain consumer, three times (the limit: the median)");
        double[] rates = new double[3];
        for (int read = 0; read < rates.length; read++) {
            rates[read] = readAll(count);
        }
        double[] sorted = rates.clone();
        java.util.Arrays.sort(sorted);
        Bench.step(String.format("Raw consume: %,.0f orders/s (reads of %,.0f, %,.0f and %,.0f)", sorted[1], rates[0], rates[1], rates[2]));
        return sorted[1];
    }

    private double readAll(int count) {
        try (KafkaConsumer<byte[], byte[]> consumer = BenchClients.readCommitted(infrastructure)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.ORDERS.name()).stream()
                    .map(partition -> new TopicPartition(Topics.ORDERS.name(), partition.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            KitBench.Progress read = new KitBench.Progress("raw consume", count);
            long started = System.nanoTime();
            long seen = 0;
            while (seen < count) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
                read.at(seen);
            }
            return count / ((System.nanoTime() - started) / 1e9);
        }
    }

    /**
     * What Kafka Streams itself costs here, whatever the topology: the same records through the least a stateful exactly-once
     * application does with them (read, deserialised by the registry's serde, counted per buyer in a cached RocksDB store with
     * its changelog, committed exactly_once_v2), one stream thread, in this JVM as the raw consumer is. No topology that
     * keeps state per buyer goes faster on the same machine, so it says how much of the gap to the raw rate is Kafka
     * Streams' and how much analytics-service's.
     */
    private double streamsFloorRate(int count) throws Exception {
        Bench.step("Counting the " + count + " orders per buyer with the least Kafka Streams application (exactly-once, one thread)");
        AtomicLong processed = new AtomicLong();
        AtomicLong firstAt = new AtomicLong();
        AtomicLong lastAt = new AtomicLong();
        StreamsBuilder builder = new StreamsBuilder();
        try (SpecificAvroSerde<OrderEvent> orders = new SpecificAvroSerde<>()) {
            orders.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url(),
                    AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, OrderEvent.class, AvroSerdeConfig.TRUSTED_PACKAGES, Topics.EVENT_PACKAGES), false);
            builder.stream(Topics.ORDERS.name(), Consumed.with(Serdes.String(), orders))
                    .peek((buyer, order) -> {
                        long n = processed.incrementAndGet();
                        if (n == 1) {
                            firstAt.set(System.nanoTime());
                        }
                        lastAt.set(System.nanoTime());
                    })
                    .groupByKey(Grouped.with(Serdes.String(), orders))
                    .count(Materialized.as("orders-per-buyer"));
            Path state = options.projectDir().resolve("target/bench/streams-floor");
            Properties config = new Properties();
            config.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-streams-floor-" + run);
            config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers());
            config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            config.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
            config.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
            KitBench.Progress read = new KitBench.Progress("counted by Kafka Streams", count);
            try (KafkaStreams streams = new KafkaStreams(builder.build(), config)) {
                streams.start();
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (processed.get() < count) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka Streams counted only " + processed.get() + " of " + count + " orders in 10 minutes");
                    }
                    read.at(processed.get());
                    Thread.sleep(100);
                }
                streams.close(Duration.ofSeconds(30));
            } finally {
                org.springframework.util.FileSystemUtils.deleteRecursively(state);
            }
        }
        double rate = count / ((lastAt.get() - firstAt.get()) / 1e9);
        Bench.step(String.format("Kafka Streams floor: %,.0f orders/s", rate));
        return rate;
    }

    /**
     * Each order a new buyer's first for one merchant, at a fixed rate; a poller records when the merchant's 30-day buyers
     * figure first reaches each count, and the i-th order's lag is the time from its publish until the figure counts i + 1.
     */
    private Histogram lag(ServiceProcess analytics, KafkaAvroSerializer serializer) throws Exception {
        int warmUpSeconds = Bench.LATENCY_WARM_UP_SECONDS;
        int total = options.rate() * (warmUpSeconds + options.latencySeconds());
        int warmUp = options.rate() * warmUpSeconds;
        String merchant = "ab-" + run + "-lag";
        String token = ServiceJar.token(merchant, List.of("analytics:read"));
        AtomicLongArray publishedAt = new AtomicLongArray(total);
        AtomicLongArray countedAt = new AtomicLongArray(total + 1);
        AtomicBoolean done = new AtomicBoolean();
        Thread poller = Thread.ofPlatform().name("figure").start(() -> {
            int reached = 0;
            while (!done.get() && reached < total) {
                try {
                    Matcher buyers = BUYERS_FIGURE.matcher(get(analytics.url() + "/api/v1/analytics/repurchase?window=30d", token));
                    int count = buyers.find() ? Integer.parseInt(buyers.group(1)) : 0;
                    long at = System.currentTimeMillis();
                    for (int k = reached + 1; k <= Math.min(count, total); k++) {
                        countedAt.set(k, at);
                    }
                    reached = Math.max(reached, Math.min(count, total));
                    Thread.sleep(10);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        Bench.step("Publishing " + options.rate() + " orders/s for " + (warmUpSeconds + options.latencySeconds())
                + " s, each a new buyer's first (the first " + warmUpSeconds + " s warm up and are not counted)");
        Random random = new Random(7);
        try (KafkaProducer<byte[], byte[]> producer = BenchClients.producer(infrastructure, 0)) {
            long started = System.nanoTime();
            long interval = TimeUnit.SECONDS.toNanos(1) / options.rate();
            for (int i = 0; i < total; i++) {
                long wait = started + i * interval - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                ProducerRecord<byte[], byte[]> order = record(serializer, merchant, "lag-" + i, "lag-" + i,
                        Instant.now().truncatedTo(ChronoUnit.MILLIS), random);
                publishedAt.set(i, System.currentTimeMillis());
                producer.send(order);
                if (i % options.rate() == 0 && i > 0) {
                    Bench.progress(String.format("lag: %d s published", i / options.rate()));
                }
            }
            producer.flush();
        }
        poller.join(TimeUnit.SECONDS.toMillis(60));
        done.set(true);
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMillis(10), 3);
        LatencyBySecond bySecond = new LatencyBySecond(options.rate(), warmUp, options.latencySeconds(), histogram);
        for (int i = warmUp; i < total; i++) {
            long counted = countedAt.get(i + 1);
            if (counted == 0) {
                throw new IllegalStateException("order " + i + " of the lag phase was never counted");
            }
            bySecond.record(i, Math.max(0, counted - publishedAt.get(i)));
        }
        Bench.step(String.format("Publish to the 30-day figure at %d orders/s over %,d orders: p50 %d ms, p99 %d ms, max %d ms", options.rate(),
                histogram.getTotalCount(), histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getMaxValue()));
        Bench.step(bySecond.summary());
        return histogram;
    }

    private String get(String url, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : "";
    }

    private String merchant(int m) {
        return "ab-" + run + "-" + m;
    }

    private static ProducerRecord<byte[], byte[]> record(KafkaAvroSerializer serializer, String merchant, String buyer, String orderId,
                                                         Instant paidAt, Random random) {
        List<OrderLine> lines = new ArrayList<>();
        long total = 0;
        for (int l = 0, count = 1 + random.nextInt(3); l < count; l++) {
            long price = 1_000 + random.nextInt(20_000);
            int quantity = 1 + random.nextInt(3);
            total += price * quantity;
            lines.add(OrderLine.newBuilder().setSku("SKU-" + random.nextInt(200)).setCategory(CATEGORIES[random.nextInt(CATEGORIES.length)])
                    .setQuantity(quantity).setUnitPrice(Money.newBuilder().setAmountMinor(price).setCurrency("CNY").build()).build());
        }
        OrderEvent paid = OrderEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(paidAt).setMerchantId(merchant)
                .setCustomerId(buyer)
                .setPayload(OrderPaid.newBuilder().setOrderId(orderId).setTotal(Money.newBuilder().setAmountMinor(total).setCurrency("CNY").build())
                        .setCouponCodes(List.of()).setCouponRedemptions(List.of()).setLines(lines).build())
                .build();
        return new ProducerRecord<>(Topics.ORDERS.name(), (merchant + ":" + buyer).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                serializer.serialize(Topics.ORDERS.name(), paid));
    }
}

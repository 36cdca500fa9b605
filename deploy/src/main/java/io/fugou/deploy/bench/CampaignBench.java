package io.fugou.deploy.bench;

import io.fugou.deploy.ServiceJar;
import io.fugou.deploy.ServiceProcess;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code deploy/bench campaign}: campaign-service from trigger to coupon (shared/BENCH.md). campaign-service runs from its
 * jar with production JVM settings; this JVM hosts the broker, PostgreSQL and the registry, publishes the triggers and
 * reads {@code fugou.campaigns.v1} read_committed. The trigger is a member joining ({@code MemberEnrolled}) and every
 * merchant has an active welcome campaign giving a coupon, so each trigger goes the whole way: the member projection,
 * the campaign's lock and budget, the member's contact lock, the assignment, a coupon with a fresh code, two events
 * numbered for the member, and the outbox relayed to Kafka.
 * <ol>
 * <li>throughput: triggers published as fast as the broker takes them, counted when their {@code CouponIssued} is
 * readable read_committed;</li>
 * <li>the limit: the same rows (the member's view, the assignment, the coupon) inserted straight into PostgreSQL,
 * set-based, a batch of the pipeline's size per transaction;</li>
 * <li>latency at a fixed rate (1,000 triggers/s by default): from a trigger's publish to its {@code CouponIssued} seen
 * read_committed, the figure {@code campaign.trigger_to_coupon_p99_ms}.</li>
 * </ol>
 */
final class CampaignBench {

    private static final int BATCH = 2000;
    private static final int MERCHANTS = 4;

    private final KitBench.Options options;
    private final LocalInfrastructure infrastructure;
    private final LocalPostgres.Database database;
    private final String run = Long.toString(System.currentTimeMillis(), 36);

    private CampaignBench(KitBench.Options options, LocalInfrastructure infrastructure) {
        this.options = options;
        this.infrastructure = infrastructure;
        this.database = infrastructure.postgres().database("campaign_service");
    }

    static BenchReport run(KitBench.Options options) throws Exception {
        Bench.step("Starting Kafka, PostgreSQL and the schema registry");
        try (LocalInfrastructure infrastructure = LocalInfrastructure.start(LocalInfrastructure.Ports.ANY)) {
            return new CampaignBench(options, infrastructure).measure();
        }
    }

    private BenchReport measure() throws Exception {
        BenchReport report = new BenchReport("campaign", options.records());
        Path logDir = options.projectDir().resolve("target/bench/logs");
        Files.createDirectories(logDir);
        Bench.step("Starting campaign-service with production JVM settings; log: " + logDir.resolve("campaign-service.log"));
        double rate;
        Histogram latency;
        try (ServiceProcess campaigns = ServiceJar.start("campaign-service", options.projectDir(), infrastructure, database, logDir)) {
            for (int m = 0; m < MERCHANTS; m++) {
                activateWelcomeCampaign(campaigns, merchant(m));
            }
            Bench.step("Serialising " + options.records() + " triggers (members joining)");
            List<ProducerRecord<byte[], byte[]>> triggers = new ArrayList<>(options.records());
            KafkaAvroSerializer serializer = BenchClients.serializer(infrastructure);
            KitBench.Progress serialised = new KitBench.Progress("serialised", options.records());
            for (int i = 0; i < options.records(); i++) {
                triggers.add(record(serializer, "bulk-" + i, i, Instant.now()));
                serialised.at(i + 1);
            }
            rate = throughput(triggers);
            latency = latency(serializer);
        }
        double rawRate = rawInsertRate(options.records());
        report.throughput("campaign.triggers_per_s", rate, "triggers/s", "postgres.raw_insert_rewards_per_s", rawRate);
        report.figure("postgres.raw_insert_rewards_per_s", rawRate, "rewards/s");
        report.latency("campaign.trigger_to_coupon_p50_ms", latency.getValueAtPercentile(50), options.rate() + " triggers/s");
        report.latency("campaign.trigger_to_coupon_p99_ms", latency.getValueAtPercentile(99), options.rate() + " triggers/s");
        report.latency("campaign.trigger_to_coupon_max_ms", latency.getMaxValue(), options.rate() + " triggers/s");
        return report;
    }

    /** A welcome coupon for every member who joins, with no budget but the default one per member. */
    private void activateWelcomeCampaign(ServiceProcess service, String merchant) throws Exception {
        String token = ServiceJar.token(merchant, List.of("campaigns:write"));
        HttpResponse<String> created = post(service.url() + "/api/v1/campaigns", token, """
                {"name": "Welcome", "trigger": {"type": "MEMBER_ENROLLED"}, "audience": {"everyone": true},
                 "reward": {"coupon": {"templateId": "welcome-10", "amountOffMinor": 1000, "currency": "CNY", "minimumSpendMinor": 5000,
                                       "validDays": 30}}}""");
        if (created.statusCode() != 201) {
            throw new IllegalStateException("campaign for " + merchant + ": " + created.statusCode() + " " + created.body());
        }
        String id = created.body().replaceAll(".*\"campaignId\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        HttpResponse<String> activated = post(service.url() + "/api/v1/campaigns/" + id + "/activate", token, "");
        if (activated.statusCode() != 200) {
            throw new IllegalStateException("activating " + id + ": " + activated.statusCode() + " " + activated.body());
        }
    }

    private static HttpResponse<String> post(String url, String token, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double throughput(List<ProducerRecord<byte[], byte[]>> triggers) throws Exception {
        AtomicLong seen = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread counter = Thread.ofPlatform().name("count-coupons").start(() -> readCoupons(done, customer -> {
            if (customer.startsWith("bulk-")) {
                seen.incrementAndGet();
            }
        }));
        Thread.sleep(2000); // the reader has its position before the first trigger goes out
        Bench.step("Publishing " + triggers.size() + " triggers to " + Topics.MEMBERS.name());
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = BenchClients.producer(infrastructure, 10)) {
            triggers.forEach(producer::send);
            producer.flush();
        }
        KitBench.Progress progress = new KitBench.Progress("CouponIssued read_committed", triggers.size());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (seen.get() < triggers.size()) {
            if (System.nanoTime() > deadline) {
                done.set(true);
                throw new IllegalStateException("only " + seen.get() + " of " + triggers.size() + " coupons after 20 minutes");
            }
            progress.at(seen.get());
            Thread.sleep(100);
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Thread.sleep(1000);
        done.set(true);
        counter.join();
        if (seen.get() != triggers.size()) {
            throw new IllegalStateException(seen.get() + " coupons for " + triggers.size() + " triggers");
        }
        double rate = triggers.size() / elapsed;
        Bench.step(String.format("campaign: %,d triggers in %.1f s: %,.0f triggers/s from topic to coupon event", triggers.size(), elapsed, rate));
        return rate;
    }

    private Histogram latency(KafkaAvroSerializer serializer) throws Exception {
        int warmUpSeconds = Bench.LATENCY_WARM_UP_SECONDS;
        int total = options.rate() * (warmUpSeconds + options.latencySeconds());
        int warmUp = options.rate() * warmUpSeconds;
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMillis(10), 3);
        LatencyBySecond bySecond = new LatencyBySecond(options.rate(), warmUp, options.latencySeconds(), histogram);
        AtomicLong measured = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Map<String, Long> publishedAt = new ConcurrentHashMap<>();
        Thread reader = Thread.ofPlatform().name("latency").start(() -> readCoupons(done, customer -> {
            Long sent = publishedAt.get(customer);
            if (sent != null && bySecond.record(Integer.parseInt(customer.substring("latency-".length())),
                    Math.max(0, System.currentTimeMillis() - sent))) {
                measured.incrementAndGet();
            }
        }));
        Thread.sleep(2000);
        Bench.step("Publishing " + options.rate() + " triggers/s for " + (warmUpSeconds + options.latencySeconds())
                + " s (the first " + warmUpSeconds + " s warm up and are not counted)");
        try (KafkaProducer<byte[], byte[]> producer = BenchClients.producer(infrastructure, 0)) {
            long started = System.nanoTime();
            long interval = TimeUnit.SECONDS.toNanos(1) / options.rate();
            for (int i = 0; i < total; i++) {
                long wait = started + i * interval - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                ProducerRecord<byte[], byte[]> trigger = record(serializer, "latency-" + i, i, Instant.now());
                publishedAt.put("latency-" + i, System.currentTimeMillis());
                producer.send(trigger);
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
        if (measured.get() < total - warmUp) {
            throw new IllegalStateException("only " + measured.get() + " of " + (total - warmUp) + " measured triggers got their coupon");
        }
        Bench.step(String.format("Trigger to coupon at %d triggers/s over %,d triggers: p50 %d ms, p99 %d ms, max %d ms", options.rate(),
                histogram.getTotalCount(), histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), histogram.getMaxValue()));
        Bench.step(bySecond.summary());
        return histogram;
    }

    /** Reads fugou.campaigns.v1 read_committed from its end, handing on the customer of each CouponIssued of this run, until {@code done}. */
    private void readCoupons(AtomicBoolean done, Consumer<String> onCoupon) {
        try (KafkaConsumer<byte[], byte[]> consumer = BenchClients.readCommitted(infrastructure);
             KafkaAvroDeserializer deserializer = BenchClients.deserializer(infrastructure)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CAMPAIGNS.name()).stream()
                    .map(p -> new TopicPartition(Topics.CAMPAIGNS.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!done.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    CampaignEvent event = (CampaignEvent) deserializer.deserialize(Topics.CAMPAIGNS.name(), record.value());
                    if (event.getPayload() instanceof CouponIssued && event.getMerchantId().startsWith("cb-" + run + "-")) {
                        onCoupon.accept(event.getCustomerId());
                    }
                }
            }
        }
    }

    /** The limit: each reward's rows (the member's view, the assignment, the coupon) straight in, a batch per transaction. */
    private double rawInsertRate(int count) throws SQLException {
        Bench.step("Inserting " + count + " rewards' rows straight into PostgreSQL (the limit), " + BATCH + " per transaction");
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
            try (Statement ddl = connection.createStatement()) {
                for (String table : List.of("member_view", "assignment", "coupon")) {
                    ddl.execute("drop table if exists raw_" + table);
                    ddl.execute("create table raw_" + table + " (like " + table + " including all)");
                }
            }
            connection.setAutoCommit(false);
            long started = System.nanoTime();
            try (PreparedStatement views = connection.prepareStatement("""
                    insert into raw_member_view (merchant_id, customer_id, tier, channel, enrolled_at, updated_at)
                    select m, c, 'regular', 'SHOP_HOME', t, t from unnest(?::text[], ?::text[], ?::timestamptz[]) as u(m, c, t)""");
                 PreparedStatement assignments = connection.prepareStatement("""
                    insert into raw_assignment (merchant_id, campaign_id, customer_id, trigger_key, assignment_group, variant, assigned_at)
                    select m, 'cmp-raw', c, k, 'TREATMENT', 'default', t from unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[]) as u(m, c, k, t)""");
                 PreparedStatement coupons = connection.prepareStatement("""
                    insert into raw_coupon (merchant_id, coupon_id, code, customer_id, campaign_id, variant, template_id, amount_off_minor,
                                            free_shipping, currency, minimum_spend_minor, categories, valid_from, valid_until, status)
                    select m, k, k, c, 'cmp-raw', 'default', 'welcome-10', 1000, false, 'CNY', 5000, '{}', t, t + interval '30 days', 'ISSUED'
                    from unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[]) as u(m, c, k, t)""")) {
                KitBench.Progress progress = new KitBench.Progress("raw insert", count);
                for (int from = 0; from < count; from += BATCH) {
                    int size = Math.min(BATCH, count - from);
                    Object[] merchants = new Object[size];
                    Object[] customers = new Object[size];
                    Object[] keys = new Object[size];
                    Object[] times = new Object[size];
                    for (int j = 0; j < size; j++) {
                        merchants[j] = "raw-" + merchant((from + j) % MERCHANTS);
                        customers[j] = "raw-" + (from + j);
                        keys[j] = UUID.randomUUID().toString();
                        times[j] = Timestamp.from(Instant.now());
                    }
                    views.setArray(1, connection.createArrayOf("text", merchants));
                    views.setArray(2, connection.createArrayOf("text", customers));
                    views.setArray(3, connection.createArrayOf("timestamptz", times));
                    views.executeUpdate();
                    for (PreparedStatement statement : List.of(assignments, coupons)) {
                        statement.setArray(1, connection.createArrayOf("text", merchants));
                        statement.setArray(2, connection.createArrayOf("text", customers));
                        statement.setArray(3, connection.createArrayOf("text", keys));
                        statement.setArray(4, connection.createArrayOf("timestamptz", times));
                        statement.executeUpdate();
                    }
                    connection.commit();
                    progress.at(from + size);
                }
            }
            double rate = count / ((System.nanoTime() - started) / 1e9);
            Bench.step(String.format("Raw insert: %,.0f rewards/s (a member view, an assignment and a coupon each)", rate));
            return rate;
        }
    }

    private ProducerRecord<byte[], byte[]> record(KafkaAvroSerializer serializer, String customer, int i, Instant at) {
        String merchant = merchant(i % MERCHANTS);
        MemberEvent joined = MemberEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at.truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(merchant).setCustomerId(customer).setSequence(1)
                .setPayload(MemberEnrolled.newBuilder().setChannel(EnrollmentChannel.SHOP_HOME).setTier("regular").build())
                .build();
        return new ProducerRecord<>(Topics.MEMBERS.name(), (merchant + ":" + customer).getBytes(StandardCharsets.UTF_8),
                serializer.serialize(Topics.MEMBERS.name(), joined));
    }

    private String merchant(int m) {
        return "cb-" + run + "-" + m;
    }
}

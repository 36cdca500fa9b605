package io.fugou.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.Topics;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsEvent;
import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances of kit-demo share the outbox: each relays the shares of the partitions it owns, so every
 * correction's event is published once. One is SIGKILLed; the other takes its shares over once the group
 * notices (the pipelines' 10 s session timeout) and publishes what was written meanwhile, once.
 */
class KitFailoverIT {

    private static final String MERCHANT = "failover";
    private static final String INPUT = "kit-failover.orders";
    private static final String OUTPUT = "kit-failover.points";
    private static final String GROUP = "kit-demo";
    private static final int PARTITIONS = 6;

    private static LocalInfrastructure infrastructure;
    private static LocalPostgres.Database database;
    /** When {@link #awaitEvents} saw the count it waited for. */
    private static long lastArrival;

    @BeforeAll
    static void start() throws Exception {
        infrastructure = LocalInfrastructure.start(LocalInfrastructure.Ports.ANY);
        database = infrastructure.postgres().database("kit_failover");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(INPUT, PARTITIONS, (short) 1), new NewTopic(OUTPUT, PARTITIONS, (short) 1)))
                    .all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (infrastructure != null) {
            infrastructure.close();
        }
    }

    @Test
    void shouldHandAKilledInstancesOutboxSharesToTheOtherInstance() throws Exception {
        Path projectDir = Path.of(System.getProperty("fugou.project.dir", "..")).toAbsolutePath().normalize();
        Path logDir = Files.createDirectories(projectDir.resolve("target/kit-failover"));
        List<String> members = twoMembersPerShare();
        KitDemoClient client = new KitDemoClient(MERCHANT);

        try (ServiceProcess first = KitDemo.start(projectDir, infrastructure, database, KitDemo.Mode.PIPELINE, INPUT, OUTPUT, logDir, false, "kit-demo-a");
             ServiceProcess second = KitDemo.start(projectDir, infrastructure, database, KitDemo.Mode.PIPELINE, INPUT, OUTPUT, logDir, false, "kit-demo-b")) {
            await().atMost(Duration.ofMinutes(1)).until(() -> assignedMembers() == 2);
            for (String member : members) {
                assertThat(client.adjust(first.url(), member, member + "-before", 1).statusCode()).isEqualTo(201);
            }
            assertThat(awaitEvents(members.size(), Duration.ofSeconds(60))).as("each share published by its owner").hasSize(members.size());

            first.kill();
            long killed = System.nanoTime();
            for (String member : members) {
                assertThat(client.adjust(second.url(), member, member + "-after", 1).statusCode()).isEqualTo(201);
            }
            List<PointsEvent> events = awaitEvents(2 * members.size(), Duration.ofSeconds(90));
            System.out.printf("failover: the killed instance's shares published by the other %d ms after the kill%n",
                    TimeUnit.NANOSECONDS.toMillis(lastArrival - killed));

            assertThat(assignedMembers()).isEqualTo(1);
            assertThat(events).as("every correction's event, once").hasSize(2 * members.size());
            assertThat(events.stream().map(PointsEvent::getEventId).distinct().count()).isEqualTo(2L * members.size());
            for (String member : members) {
                List<String> entries = events.stream().filter(event -> event.getCustomerId().equals(member))
                        .map(event -> ((PointsAdjusted) event.getPayload()).getEntryId()).toList();
                assertThat(entries).as("%s's corrections in order", member).containsExactly(member + "-before", member + "-after");
                assertThat(events.stream().filter(event -> event.getCustomerId().equals(member)).map(PointsEvent::getSequence))
                        .containsExactly(1L, 2L);
            }
        }
    }

    /** Members whose keys fall on every partition, two per partition, so both instances' shares are covered. */
    private static List<String> twoMembersPerShare() {
        Map<Integer, Integer> perShare = new HashMap<>();
        List<String> members = new ArrayList<>();
        for (int i = 0; members.size() < 2 * PARTITIONS; i++) {
            String customer = "c-" + i;
            int share = Utils.toPositive(Utils.murmur2((MERCHANT + ":" + customer).getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            if (perShare.merge(share, 1, Integer::sum) <= 2) {
                members.add(customer);
            }
        }
        return members;
    }

    /** Members of the pipeline's consumer group holding partitions. */
    private static long assignedMembers() throws Exception {
        try (Admin admin = admin()) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP);
            return group.members().stream().map(MemberDescription::assignment).filter(assignment -> !assignment.topicPartitions().isEmpty()).count();
        }
    }

    /** The output read_committed until it holds at least {@code count} events, then two seconds more. */
    private static List<PointsEvent> awaitEvents(int count, Duration timeout) {
        List<PointsEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaAvroDeserializer deserializer = new KafkaAvroDeserializer()) {
            deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.registry().url(),
                    "specific.avro.reader", true, "avro.trusted.packages", Topics.EVENT_PACKAGES), false);
            List<TopicPartition> partitions = consumer.partitionsFor(OUTPUT).stream().map(p -> new TopicPartition(OUTPUT, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    events.add((PointsEvent) deserializer.deserialize(OUTPUT, record.value()));
                }
                if (events.size() >= count && quietUntil == Long.MAX_VALUE) {
                    lastArrival = System.nanoTime();
                    quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                }
            }
        }
        return events;
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers()));
    }
}

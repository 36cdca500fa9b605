package io.fugou.deploy;

import io.fugou.events.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.tools.StreamsResetter;

/**
 * Rebuilds every analytics figure from the retained topics: resets analytics-service's Kafka Streams application to the
 * start of its input topics (Kafka's own StreamsResetter: offsets to the earliest, its internal topics deleted), then
 * shows the rebuild's progress (records read, lag, rate) once the instances are started again with
 * {@code FUGOU_ANALYTICS_CLEAN_UP_ON_START=true}, until they have caught up.
 *
 * <pre>
 *   KAFKA_BOOTSTRAP_SERVERS=broker:9092 deploy/replay-analytics            (reset, then watch)
 *   KAFKA_BOOTSTRAP_SERVERS=broker:9092 deploy/replay-analytics --watch    (watch only)
 * </pre>
 */
public final class ReplayAnalytics {

    /** analytics-service's input topics (RepurchaseTopology). */
    static final List<String> INPUTS = List.of(Topics.ORDERS.name(), Topics.MEMBERS.name(), Topics.POINTS.name(), Topics.CAMPAIGNS.name());
    // The merchants' norms topic (typical interval, RFM cuts) is left as it is: the rebuild judges the first buyers it
    // meets against the norms of all the data, rather than of the little read so far, and publishes them afresh as it goes.
    static final String APPLICATION_ID = "analytics-service";
    private static final Duration EVERY = Duration.ofSeconds(2);

    private ReplayAnalytics() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        String applicationId = System.getenv().getOrDefault("FUGOU_ANALYTICS_APPLICATION_ID", APPLICATION_ID);
        boolean watchOnly = List.of(args).contains("--watch");
        if (!watchOnly) {
            reset(bootstrap, applicationId, System.out);
            System.out.println("[replay] Now start every analytics-service instance with FUGOU_ANALYTICS_CLEAN_UP_ON_START=true for this "
                    + "start (each wipes its old local state). Progress follows; Ctrl-C stops watching, not the rebuild.");
        }
        watch(bootstrap, applicationId, Duration.ofHours(24), System.out);
    }

    /** Resets the application to the start of its inputs; refuses while any instance of it is running. */
    public static void reset(String bootstrap, String applicationId, PrintStream out) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId)).all().get().get(applicationId);
            if (group != null && !group.members().isEmpty()) {
                throw new IllegalStateException(group.members().size() + " instance(s) of " + applicationId
                        + " are running: stop every analytics-service instance first");
            }
            out.println("[replay] Resetting " + applicationId + " to the start of " + String.join(", ", INPUTS));
            int status = new StreamsResetter().execute(new String[] {"--bootstrap-server", bootstrap, "--application-id", applicationId,
                    "--input-topics", String.join(",", INPUTS), "--to-earliest"});
            if (status != 0) {
                throw new IllegalStateException("Kafka's StreamsResetter failed (exit " + status + "); see above");
            }
        }
    }

    /** Prints records read, lag and rate every 2 s until the application has read its inputs to the end (or {@code timeout}). */
    public static boolean watch(String bootstrap, String applicationId, Duration timeout, PrintStream out) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            List<TopicPartition> partitions = partitions(admin, INPUTS);
            Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.earliest());
            long began = System.nanoTime();
            long deadline = began + timeout.toNanos();
            long lastRead = -1;
            long lastAt = began;
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
                long read = 0;
                long lag = 0;
                for (TopicPartition partition : partitions) {
                    long start = starts.getOrDefault(partition, 0L);
                    OffsetAndMetadata at = committed.get(partition);
                    long position = at == null ? start : Math.max(at.offset(), start);
                    read += position - start;
                    lag += Math.max(0, ends.getOrDefault(partition, 0L) - position);
                }
                long now = System.nanoTime();
                double rate = lastRead < 0 ? 0 : (read - lastRead) / ((now - lastAt) / 1e9);
                long seconds = Duration.ofNanos(now - began).toSeconds();
                out.printf("[replay %d:%02d] records read: %,d, lag: %,d, %,.0f records/s%n", seconds / 60, seconds % 60, read, lag, rate);
                if (lag == 0 && !committed.isEmpty()) {
                    out.printf("[replay] Caught up: %,d records read in %d s%n", read, seconds);
                    return true;
                }
                lastRead = read;
                lastAt = now;
                Thread.sleep(EVERY.toMillis());
            }
            out.println("[replay] Not caught up within " + timeout);
            return false;
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static List<TopicPartition> partitions(Admin admin, List<String> topics) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((topic, description) ->
                description.partitions().forEach(partition -> partitions.add(new TopicPartition(topic, partition.partition()))));
        return partitions;
    }

    /** Offsets as read_committed readers see them (the end is the last stable offset). */
    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(partitions.stream().collect(Collectors.toMap(partition -> partition, partition -> spec)),
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all().get().forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }
}

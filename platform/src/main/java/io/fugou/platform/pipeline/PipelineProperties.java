package io.fugou.platform.pipeline;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * How pipelines run.
 *
 * @param maxBatch              the most records one batch (one database and one Kafka transaction) takes
 * @param concurrency           consumers per pipeline in this instance (at most the partition count is useful)
 * @param consumers             consumers of particular pipelines in this instance, by pipeline name, instead of
 *                              {@code concurrency}: a service's busiest pipeline takes several partitions' batches at
 *                              once (each in its own database and Kafka transaction) without multiplying the others
 * @param instanceId            this instance's stable, unique name (a StatefulSet's pod name): its consumers
 *                              are static group members, so a restarted instance takes its partitions back at
 *                              once instead of waiting for the group to time out the one that died
 * @param transactionalIdPrefix the Kafka producers' transactional id prefix: stable per instance, so a
 *                              restarted instance fences its predecessor's open transaction at once instead
 *                              of leaving read_committed readers blocked until it times out
 * @param transactionTimeout    how long an abandoned Kafka transaction (its instance died) blocks readers at most
 * @param databaseTimeout       how long one batch's database transaction may take before it counts as failed
 * @param sessionTimeout        how soon a dead instance's partitions (and outbox shares) move to the others
 * @param outboxPoll            how often an idle relaying consumer looks at the outbox: the most an HTTP change's
 *                              event waits at low load, before its own publishing
 * @param fetchWait             how long the broker holds a consumer's fetch for {@code fetchMinBytes} to arrive. The
 *                              consumer fetches the next records while its batch is being applied; answered at once,
 *                              that fetch would hold only what arrived by the batch's start, and the records arriving
 *                              during the batch would wait a whole batch more. Held, it brings them too, fresher by up
 *                              to this much; the cost is at most this much more wait for a lone record at low load
 * @param fetchMinBytes         the bytes that answer a held fetch at once (under load it never waits)
 */
@ConfigurationProperties("fugou.pipeline")
public record PipelineProperties(int maxBatch, int concurrency, Map<String, Integer> consumers, String instanceId, String transactionalIdPrefix,
                                 Duration transactionTimeout, Duration databaseTimeout, Duration sessionTimeout, Duration outboxPoll,
                                 Duration fetchWait, DataSize fetchMinBytes) {

    public PipelineProperties {
        if (consumers != null && consumers.values().stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("fugou.pipeline.consumers gives no count for " + consumers.entrySet().stream()
                    .filter(entry -> entry.getValue() == null).map(Map.Entry::getKey).toList());
        }
        consumers = consumers == null ? Map.of() : Map.copyOf(consumers);
        // Producers' ids are the prefix and a number: "svc-1" + "20" would be "svc-12" + "0", another instance's.
        if (transactionalIdPrefix != null && !transactionalIdPrefix.isEmpty()
                && Character.isDigit(transactionalIdPrefix.charAt(transactionalIdPrefix.length() - 1))) {
            throw new IllegalArgumentException("fugou.pipeline.transactional-id-prefix must not end in a digit (producers' ids are the prefix and a "
                    + "number, so 'svc-1' would take 'svc-12''s ids) but was '" + transactionalIdPrefix + "'; end it with '-'");
        }
    }

    /**
     * How many consumers this instance runs for a pipeline. Names match ignoring case and punctuation: an environment
     * variable such as {@code FUGOU_PIPELINE_CONSUMERS_LOYALTY_ORDERS} binds as {@code loyalty.orders}.
     */
    public int consumersOf(String pipeline) {
        return consumers.entrySet().stream().filter(entry -> comparable(entry.getKey()).equals(comparable(pipeline)))
                .map(Map.Entry::getValue).findFirst().orElse(concurrency);
    }

    static String comparable(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}

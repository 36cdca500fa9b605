package io.fugou.platform.pipeline;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How pipelines run.
 *
 * @param maxBatch              the most records one batch (one database and one Kafka transaction) takes
 * @param concurrency           consumers per pipeline in this instance (at most the partition count is useful)
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
 */
@ConfigurationProperties("fugou.pipeline")
public record PipelineProperties(int maxBatch, int concurrency, String instanceId, String transactionalIdPrefix, Duration transactionTimeout,
                                 Duration databaseTimeout, Duration sessionTimeout, Duration outboxPoll) {
}

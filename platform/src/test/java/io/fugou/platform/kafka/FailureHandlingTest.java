package io.fugou.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.Topics;
import io.fugou.serde.avro.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.r2dbc.UncategorizedR2dbcException;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.util.backoff.BackOffExecution;

/** The decisions behind waiting, dead-lettering and replaying, one by one. */
class FailureHandlingTest {

    private static final ConsumerRecord<Object, Object> RECORD = new ConsumerRecord<>("commerce.orders.v1", 0, 7L, "m:c", null);

    private static Exception readFailure(int registryStatus) {
        return new DeserializationException("failed to deserialize", new byte[0], false,
                new SchemaRegistryException("registry said " + registryStatus, registryStatus, 0, null));
    }

    private static KafkaRetryProperties retry() {
        return new KafkaRetryProperties(2, Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(60));
    }

    @Test
    void shouldKeepWaitingWhileTheRegistryIsDownAndStopOnceItSaysTheSchemaIsUnknown() {
        var backOff = new KafkaPlatformAutoConfiguration.WhileTransient(KafkaPlatformAutoConfiguration.transientBackOff(retry()));
        BackOffExecution execution = backOff.start();

        for (int attempt = 0; attempt < 20; attempt++) {
            KafkaPlatformAutoConfiguration.WhileTransient.LATEST_FAILURE.failedDelivery(RECORD, readFailure(503), attempt + 1);
            assertThat(execution.nextBackOff()).as("attempt %d during the outage", attempt).isBetween(1L, 1_000L);
        }
        KafkaPlatformAutoConfiguration.WhileTransient.LATEST_FAILURE.failedDelivery(RECORD, readFailure(404), 21);
        assertThat(execution.nextBackOff()).isEqualTo(BackOffExecution.STOP);
    }

    @Test
    void shouldTellOutagesFromHopelessRecords() {
        assertThat(TransientFailures.isTransient(readFailure(503))).isTrue();
        assertThat(TransientFailures.isTransient(readFailure(404))).isFalse();
        assertThat(TransientFailures.isTransient(new org.apache.kafka.common.errors.NotLeaderOrFollowerException("moving"))).isTrue();
        assertThat(TransientFailures.isTransient(new io.r2dbc.spi.R2dbcTransientResourceException("connection lost"))).isTrue();
        assertThat(TransientFailures.isTransient(new InvalidEventException("negative total", null))).isFalse();
        assertThat(KafkaPlatformAutoConfiguration.isHopeless(readFailure(404))).isTrue();
        assertThat(KafkaPlatformAutoConfiguration.isHopeless(new IllegalStateException("a bug"))).isFalse();
    }

    @Test
    void shouldTellDatabaseOutagesByTheDatabasesOwnCode() {
        // As spring-r2dbc hands them on: PostgreSQL's deadlock (40P01) and shutdown (57P01) pass, and so does a refused
        // connection, which has no code.
        assertThat(TransientFailures.isTransient(new UncategorizedR2dbcException("executeMany", "insert ...",
                new R2dbcTransientException("deadlock detected", "40P01") { }))).isTrue();
        assertThat(TransientFailures.isTransient(new DataAccessResourceFailureException("executeMany",
                new R2dbcNonTransientResourceException("terminating connection due to administrator command", "57P01")))).isTrue();
        assertThat(TransientFailures.isTransient(new DataAccessResourceFailureException("connect",
                new R2dbcNonTransientResourceException("Connection refused")))).isTrue();
        // The driver files codes it does not list as resource failures; an index row too large never passes.
        assertThat(TransientFailures.isTransient(new DataAccessResourceFailureException("executeMany",
                new R2dbcNonTransientResourceException("index row size 3016 exceeds btree version 4 maximum 2704", "54000")))).isFalse();
    }

    @Test
    void shouldLetOnlyTheGroupThatFailedProcessAReplayedDeadLetter() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        String group = consumer.groupMetadata().groupId();
        ConsumerRecord<Object, Object> forThisGroup = new ConsumerRecord<>("commerce.orders.v1", 0, 1L, "m:c", null);
        forThisGroup.headers().add(DeadLetterReplay.REPLAY_FOR_GROUP_HEADER, group.getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<Object, Object> forAnother = new ConsumerRecord<>("commerce.orders.v1", 0, 2L, "m:c", null);
        forAnother.headers().add(DeadLetterReplay.REPLAY_FOR_GROUP_HEADER, "analytics-service".getBytes(StandardCharsets.UTF_8));

        assertThat(PlatformRecordInterceptor.isReplayForAnotherGroup(forThisGroup, consumer)).isFalse();
        assertThat(PlatformRecordInterceptor.isReplayForAnotherGroup(forAnother, consumer)).isTrue();
        assertThat(PlatformRecordInterceptor.isReplayForAnotherGroup(RECORD, consumer)).as("an original record").isFalse();
    }

    @Test
    void shouldRefuseToReplayACompactedTopic() {
        assertThatThrownBy(() -> DeadLetterReplay.replay(Map.of(), Topics.MEMBER_PROFILES.name(), line -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compacted");
    }
}

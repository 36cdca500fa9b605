package io.fugou.analytics.streams;

import java.time.Duration;
import java.time.ZoneId;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How analytics runs.
 *
 * @param applicationId     the Kafka Streams application id: its consumer group, and the prefix of its internal topics
 * @param stateDir          where the state stores live. Kept across restarts in production (a restart then only catches up);
 *                          fresh for every local run and test run, whose broker is new (a store kept from an older broker
 *                          would count its orders twice)
 * @param advertisedHost    the host name or address other instances reach this one at (a pod's IP); with it, each instance
 *                          answers for the store partitions it holds and sends other requests on; blank for one instance
 * @param zone              the zone calendar months are counted in
 * @param windowCheck       how often orders leaving the rolling windows are looked for: the most a window's figure lags the clock
 * @param defaultInterval   the rhythm a buyer is judged by (lifecycle stage, predicted next order) while neither they (two
 *                          intervals of their own) nor their merchant (20 intervals in the last 365 days) have enough orders
 * @param attribution       how long after a campaign's assignment a buyer's order counts as its conversion
 * @param cleanUpOnStart    wipe this instance's local state at start, to rebuild it from the topics (after a replay's reset)
 * @param rocksdbMemory     the most memory all the instance's RocksDB stores take together (block cache, index and filter
 *                          blocks, memtables), outside the heap; unset, RocksDB's defaults per store, unbounded in total
 * @param streamThreads     the stream threads of this instance, each taking its share of the partitions' tasks; unset, one
 *                          per processor the JVM may use (a container's CPU limit)
 */
@ConfigurationProperties("fugou.analytics")
public record AnalyticsProperties(String applicationId, String stateDir, String advertisedHost, ZoneId zone, Duration windowCheck,
                                  Duration defaultInterval, Duration attribution,
                                  boolean cleanUpOnStart, DataSize rocksdbMemory, Integer streamThreads) {

    public AnalyticsProperties {
        if (streamThreads != null && streamThreads < 1) {
            throw new IllegalArgumentException("fugou.analytics.stream-threads must be at least 1 but was " + streamThreads);
        }
    }

    /** The stream threads to run: as set, or one per processor. */
    public int threads() {
        return streamThreads != null ? streamThreads : Runtime.getRuntime().availableProcessors();
    }
}

package io.fugou.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.testsupport.ServiceSkeletonContract;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.Metric;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.util.unit.DataSize;

@AnalyticsIntegrationTest
class AnalyticsServiceApplicationIT extends ServiceSkeletonContract {

    @Autowired
    StreamsBuilderFactoryBean streams;

    @Override
    protected String expectedTable() {
        return null; // no tables until the service issue brings them
    }

    /** With fugou.analytics.rocksdb-memory (AnalyticsIntegrationTest sets 64 MB), every store uses a cache of that size. */
    @Test
    void everyRocksDbStoreHasTheCacheOfTheConfiguredSize() {
        // The stores open once the streams have their tasks, which may be after this context started; each reports 0 until open.
        List<Object> capacities = Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> streams.getKafkaStreams().metrics().values().stream()
                .filter(metric -> metric.metricName().name().equals("block-cache-capacity")).map(Metric::metricValue).toList(),
                found -> !found.isEmpty() && found.stream().allMatch(capacity -> ((Number) capacity).longValue() > 0)); // 0 while a store opens

        assertThat(capacities).allSatisfy(capacity -> assertThat(((Number) capacity).longValue()).isEqualTo(DataSize.ofMegabytes(64).toBytes()));
    }
}

package io.fugou.platform.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.Topics;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;

/** fugou.pipeline.consumers: more consumers for one pipeline, the others at fugou.pipeline.concurrency; a wrong name refused. */
class PipelineConsumersTest {

    private static final List<EventPipeline<?>> PIPELINES = List.of(EventPipeline.consume("orders", Topics.ORDERS)
            .handle(OrderPaid.class, events -> Mono.just(List.of())).skip(OrderRefunded.class, "-").skip(OrderCancelled.class, "-")
            .skip(OrderFulfilled.class, "-").build());

    @Test
    void aPipelineNamedInConsumersGetsThatManyAndTheOthersTheConcurrency() {
        PipelineProperties properties = properties(Map.of("orders", 3));

        assertThat(properties.consumersOf("orders")).isEqualTo(3);
        // As an environment variable binds it (FUGOU_PIPELINE_CONSUMERS_LOYALTY_ORDERS).
        assertThat(properties(Map.of("loyalty.orders", 2)).consumersOf("loyalty-orders")).isEqualTo(2);
        assertThat(properties.consumersOf("members")).isEqualTo(1);
        PipelineAutoConfiguration.checkConsumersNamePipelines(PIPELINES, properties);
    }

    @Test
    void aNameThatIsNoPipelineOfTheServiceOrFewerThanOneConsumerIsRefused() {
        assertThatThrownBy(() -> PipelineAutoConfiguration.checkConsumersNamePipelines(PIPELINES, properties(Map.of("order", 3))))
                .hasMessageContaining("names no pipeline of this service: [order]").hasMessageContaining("[orders]");
        assertThatThrownBy(() -> PipelineAutoConfiguration.checkConsumersNamePipelines(PIPELINES, properties(Map.of("orders", 0))))
                .hasMessageContaining("at least 1");
        Map<String, Integer> noCount = new java.util.HashMap<>();
        noCount.put("orders", null); // fugou.pipeline.consumers.orders= (empty)
        assertThatThrownBy(() -> properties(noCount)).hasMessageContaining("gives no count for [orders]");
    }

    @Test
    void aTransactionalIdPrefixEndingInADigitIsRefused() {
        // Its producers' ids would be another instance's: "svc-1" + "20" is "svc-12" + "0".
        assertThatThrownBy(() -> new PipelineProperties(2000, 1, Map.of(), "1", "svc-1", Duration.ofSeconds(60), Duration.ofSeconds(20),
                Duration.ofSeconds(10), Duration.ofMillis(25), Duration.ofMillis(50), DataSize.ofKilobytes(64)))
                .hasMessageContaining("must not end in a digit").hasMessageContaining("'svc-1'");
    }

    private static PipelineProperties properties(Map<String, Integer> consumers) {
        return new PipelineProperties(2000, 1, consumers, "test", "test-", Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(10),
                Duration.ofMillis(25), Duration.ofMillis(50), DataSize.ofKilobytes(64));
    }
}

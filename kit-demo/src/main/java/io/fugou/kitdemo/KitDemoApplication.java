package io.fugou.kitdemo;

import io.fugou.events.Topic;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEvent;
import io.fugou.platform.security.EndpointScopes;
import io.fugou.platform.security.ScopeRule;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;

/**
 * The smallest service on the exactly-once kit: each paid order becomes one row and one event. The
 * crash test kills it at random moments; {@code deploy/bench kit} measures it, and its naive mode.
 */
@SpringBootApplication
public class KitDemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(KitDemoApplication.class, args);
    }

    /** Its topics are its own (named by configuration, so each benchmark run can have fresh ones). */
    record DemoTopics(Topic<OrderEvent> input, Topic<PointsEvent> output) {
    }

    @Bean
    DemoTopics demoTopics(@Value("${kit-demo.input-topic}") String input, @Value("${kit-demo.output-topic}") String output) {
        return new DemoTopics(new Topic<>(input, OrderEvent.class, OrderEvent.getClassSchema(), Map.of(), Map.of(), false),
                new Topic<>(output, PointsEvent.class, PointsEvent.getClassSchema(), Map.of(), Map.of(), false));
    }

    /** Its one write: operators' corrections, mixed into members' streams by the crash test. */
    @Bean
    EndpointScopes kitDemoScopes() {
        return () -> List.of(ScopeRule.of(HttpMethod.POST, "/adjustments", "kit-demo:adjust"));
    }
}

package io.fugou.analytics;

import static io.fugou.testsupport.OrderEventMother.paid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.analytics.repurchase.RepurchaseTopology;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.InfrastructureInitializer;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.TestTokens;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Two instances share the partitions: each answers for every merchant, reading its own stores or asking the other. */
@AnalyticsIntegrationTest
class AnalyticsInstancesIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(90);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private StreamsBuilderFactoryBean streams;

    private final KafkaTestClient shop = new KafkaTestClient();

    @Test
    void eitherInstanceAnswersForAMerchantWhicheverHoldsItsFigures() throws Exception {
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(AnalyticsServiceApplication.class)
                .initializers(new InfrastructureInitializer())
                // Arguments, not default properties: the service's application.yml would override those.
                .run("--server.port=0", "--fugou.analytics.advertised-host=localhost",
                        "--fugou.analytics.state-dir=" + Files.createTempDirectory("analytics-second"))) {
            WebTestClient other = WebTestClient.bindToServer().baseUrl("http://localhost:" + second.getEnvironment().getProperty("local.server.port"))
                    .responseTimeout(Duration.ofSeconds(10)).build();
            KafkaStreams first = streams.getKafkaStreams();
            KafkaStreams next = second.getBean(StreamsBuilderFactoryBean.class).getKafkaStreams();
            await().atMost(ARRIVAL).untilAsserted(() -> assertThat(List.of(first.state(), next.state(), first.metadataForAllStreamsClients().size()))
                    .as("the instances' states and the clients the first knows of").containsExactly(KafkaStreams.State.RUNNING, KafkaStreams.State.RUNNING, 2));

            List<String> merchants = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String merchant = "two-" + UUID.randomUUID().toString().substring(0, 8);
                merchants.add(merchant);
                shop.publish(Topics.ORDERS, new MemberKey(merchant, "A"), paid(merchant, "A", "a1"));
            }
            Set<Integer> holders = new HashSet<>();
            for (String merchant : merchants) {
                holders.add(first.queryMetadataForKey(RepurchaseTopology.MERCHANT_FIGURES_STORE, merchant, new StringSerializer()).activeHost().port());
            }
            assertThat(holders).as("the merchants' figures live on both instances").hasSize(2);

            String[] tokens = merchants.stream().map(merchant -> new TestTokens(localTokens).forMerchant(merchant, "analytics:read")).toArray(String[]::new);
            await().atMost(ARRIVAL).untilAsserted(() -> {
                for (int i = 0; i < merchants.size(); i++) {
                    for (WebTestClient instance : List.of(web, other)) {
                        instance.get().uri("/api/v1/analytics/repurchase?window=30d").header("Authorization", "Bearer " + tokens[i])
                                .exchange().expectStatus().isOk().expectBody().jsonPath("$.buyers").isEqualTo(1);
                        instance.get().uri("/api/v1/analytics/members/A").header("Authorization", "Bearer " + tokens[i])
                                .exchange().expectStatus().isOk().expectBody().jsonPath("$.orders").isEqualTo(1);
                    }
                }
            });
            // A merchant's token reads only its own figures through the other instance too.
            other.get().uri("/api/v1/analytics/members/A").header("Authorization", "Bearer " + new TestTokens(localTokens).forMerchant("two-nobody", "analytics:read"))
                    .exchange().expectStatus().isNotFound();
        }
    }
}

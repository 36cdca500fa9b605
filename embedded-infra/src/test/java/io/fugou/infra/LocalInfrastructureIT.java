package io.fugou.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.Topics;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class LocalInfrastructureIT {

    private final LocalInfrastructure infrastructure = LocalInfrastructure.shared();

    @Test
    void brokerHasEveryPlatformTopicAndItsDeadLetterTopic() throws Exception {
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers()))) {
            Set<String> names = admin.listTopics().names().get();

            assertThat(names).contains(Topics.ORDERS.name(), Topics.ORDERS.deadLetterTopic(), Topics.LIFECYCLE.name());
            assertThat(admin.describeTopics(Set.of(Topics.ORDERS.name())).allTopicNames().get()
                    .get(Topics.ORDERS.name()).partitions()).hasSize(LocalKafka.PARTITIONS);
            ConfigResource profiles = new ConfigResource(ConfigResource.Type.TOPIC, Topics.MEMBER_PROFILES.name());
            assertThat(admin.describeConfigs(Set.of(profiles)).all().get().get(profiles).get("cleanup.policy").value())
                    .as("erasure relies on compaction of the profile topic")
                    .isEqualTo("compact");
        }
    }

    @Test
    void brokerListensOnThePortItWasGiven() throws Exception {
        int port = LocalInfrastructure.freePort();
        try (LocalKafka kafka = LocalKafka.start(port);
             AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port))) {
            assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + port);
            assertThat(admin.describeCluster().nodes().get()).singleElement()
                    .satisfies(node -> assertThat(node.port()).as("the port clients are sent to").isEqualTo(port));
        }
    }

    @Test
    void aTakenPortIsNamedInsteadOfFailingDeepInTheBroker() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> LocalKafka.start(taken.getLocalPort()))
                    .hasMessageContaining("Port " + taken.getLocalPort() + " for Kafka is taken")
                    .hasMessageContaining("FUGOU_PORTS=any");
        }
    }

    @Test
    void postgresServesADatabasePerService() throws Exception {
        LocalPostgres.Database database = infrastructure.postgres().database("infra_check");

        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             ResultSet result = connection.createStatement().executeQuery("select current_database(), current_setting('server_version_num')::int")) {
            result.next();
            assertThat(result.getString(1)).isEqualTo("infra_check");
            assertThat(result.getInt(2)).isGreaterThanOrEqualTo(170000);
        }
    }

    @Test
    void registryAnswersTheConfluentApi() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(infrastructure.registry().url() + "/config")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("BACKWARD");
    }
}

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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void aSecondStartOnKeptDataFindsTheRecordsTheSchemaIdsAndTheRowsOfTheFirst(@TempDir java.nio.file.Path keptData) throws Exception {
        String schema = "{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Kept\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"string\\\"}]}";
        String schemaId;
        try (LocalInfrastructure first = LocalInfrastructure.start(LocalInfrastructure.Ports.ANY, keptData)) {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    first.kafka().bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topics.ORDERS.name(), 0, "m1:c1", "an order")).get();
            }
            HttpResponse<String> registered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(first.registry().url() + "/subjects/kept-value/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"" + schema + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
            schemaId = registered.body().replaceAll("\\D", "");
            LocalPostgres.Database database = first.postgres().database("kept_check");
            try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
                connection.createStatement().execute("create table member (id text primary key)");
                connection.createStatement().execute("insert into member values ('c1')");
            }
        }

        try (LocalInfrastructure second = LocalInfrastructure.start(LocalInfrastructure.Ports.ANY, keptData)) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    second.kafka().bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
                TopicPartition partition = new TopicPartition(Topics.ORDERS.name(), 0);
                consumer.assign(Set.of(partition));
                consumer.seekToBeginning(Set.of(partition));
                java.util.List<String> values = new java.util.ArrayList<>();
                java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
                while (values.isEmpty() && java.time.Instant.now().isBefore(deadline)) {
                    consumer.poll(java.time.Duration.ofSeconds(1)).forEach(record -> values.add(record.value()));
                }
                assertThat(values).containsExactly("an order");
            }
            HttpResponse<String> schemaById = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(second.registry().url() + "/schemas/ids/" + schemaId)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(schemaById.statusCode()).as("the id the records carry still names their schema").isEqualTo(200);
            assertThat(schemaById.body()).contains("Kept");
            LocalPostgres.Database database = second.postgres().database("kept_check");
            try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                 ResultSet rows = connection.createStatement().executeQuery("select id from member")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("c1");
            }
        }
    }
}

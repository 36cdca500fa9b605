package io.fugou.testsupport;

import io.fugou.infra.LocalKafka;
import io.fugou.infra.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClient;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.ConfluentKafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** The Docker path: Confluent's Kafka and schema registry images and PostgreSQL 17, in containers. */
final class TestcontainersInfrastructure implements TestInfrastructure {

    private static final String CONFLUENT_VERSION = "7.9.0";

    private final ConfluentKafkaContainer kafka;
    private final PostgreSQLContainer postgres;
    private final GenericContainer<?> registry;

    private TestcontainersInfrastructure(ConfluentKafkaContainer kafka, PostgreSQLContainer postgres, GenericContainer<?> registry) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.registry = registry;
    }

    @SuppressWarnings("resource")
    static TestcontainersInfrastructure start() {
        Network network = Network.newNetwork();
        ConfluentKafkaContainer kafka = new ConfluentKafkaContainer("confluentinc/cp-kafka:" + CONFLUENT_VERSION)
                .withNetwork(network).withNetworkAliases("kafka");
        PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:17").withUsername(LocalPostgres.USER).withPassword(LocalPostgres.USER);
        kafka.start();
        postgres.start();
        GenericContainer<?> registry = new GenericContainer<>("confluentinc/cp-schema-registry:" + CONFLUENT_VERSION)
                .withNetwork(network)
                .withExposedPorts(8081)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:9093")
                .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));
        registry.start();
        TestcontainersInfrastructure infrastructure = new TestcontainersInfrastructure(kafka, postgres, registry);
        infrastructure.createTopics();
        return infrastructure;
    }

    private void createTopics() {
        try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(LocalKafka.platformTopics()).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the platform topics", e);
        }
    }

    @Override
    public String bootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String schemaRegistryUrl() {
        return "http://" + registry.getHost() + ":" + registry.getMappedPort(8081);
    }

    @Override
    public LocalPostgres.Database database(String name) {
        try (Connection connection = DriverManager.getConnection(postgres.getJdbcUrl(), LocalPostgres.USER, LocalPostgres.USER)) {
            if (!connection.createStatement().executeQuery("select 1 from pg_database where datname = '" + name + "'").next()) {
                connection.createStatement().execute("create database " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return new LocalPostgres.Database(name, postgres.getMappedPort(5432));
    }
}

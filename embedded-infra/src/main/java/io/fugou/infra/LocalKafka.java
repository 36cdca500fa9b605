package io.fugou.infra;

import io.fugou.events.Topic;
import io.fugou.events.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real Kafka broker in KRaft combined mode (broker and controller in one), in this JVM, listening
 * exactly where it says (spring-kafka-test's EmbeddedKafkaKraftBroker ignores fixed ports, STACK.md
 * trap 11), with every platform topic and its dead-letter topic created. Its files live under the
 * infra directory and are removed when it stops, unless it was started on a kept data directory
 * ({@link #start(int, Path)}), where a second start finds its topics, records and offsets again.
 */
public final class LocalKafka implements AutoCloseable {

    /** Every topic has this many partitions, as services expect by default (fugou.kafka.topics.partitions). */
    public static final int PARTITIONS = 6;

    private final KafkaRaftServer server;
    private final int port;
    private final Path dataDir;
    private final boolean keepData;

    private LocalKafka(KafkaRaftServer server, int port, Path dataDir, boolean keepData) {
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
        this.keepData = keepData;
    }

    /** Starts a broker on the given port (0 for any free port), on files of its own removed when it stops. */
    public static LocalKafka start(int port) {
        int brokerPort = brokerPort(port);
        Path dataDir = InfraDirectories.createDirectories(InfraDirectories.root().resolve("kafka-" + brokerPort + "-" + ProcessHandle.current().pid()));
        return start(brokerPort, InfraDirectories.freePort(), dataDir, false);
    }

    /**
     * Starts a broker on the given port (0 for any free port) whose data stays in {@code keptDataDir}
     * between runs. The controller keeps the port of its first run (the one-node quorum's address is
     * in its log), written beside the data.
     */
    public static LocalKafka start(int port, Path keptDataDir) {
        int brokerPort = brokerPort(port);
        Path dataDir = InfraDirectories.createDirectories(keptDataDir);
        Path controllerPortFile = dataDir.resolve("controller.port");
        int controllerPort;
        try {
            if (Files.exists(controllerPortFile)) {
                controllerPort = Integer.parseInt(Files.readString(controllerPortFile).trim());
                InfraDirectories.reserve(controllerPort);
                InfraDirectories.requireFree(controllerPort, "Kafka's controller (kept from the first run in " + dataDir + ")",
                        "stop it, or start with fresh data (deploy/run --fresh)");
            } else {
                controllerPort = InfraDirectories.freePort();
                Files.writeString(controllerPortFile, Integer.toString(controllerPort));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep Kafka's controller port in " + controllerPortFile, e);
        }
        return start(brokerPort, controllerPort, dataDir, true);
    }

    private static int brokerPort(int port) {
        if (port > 0) {
            InfraDirectories.requireFree(port, "Kafka");
            return port;
        }
        return InfraDirectories.freePort();
    }

    private static LocalKafka start(int brokerPort, int controllerPort, Path dataDir, boolean keepData) {
        Properties properties = new Properties();
        properties.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("controller.quorum.bootstrap.servers", "localhost:" + controllerPort),
                Map.entry("log.dirs", dataDir.toString()),
                Map.entry("num.partitions", Integer.toString(PARTITIONS)),
                // One broker: internal topics must not ask for more replicas than exist (STACK.md trap 8).
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("auto.create.topics.enable", "false")));
        format(properties, dataDir);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties), Time.SYSTEM);
        LocalKafka kafka = new LocalKafka(server, brokerPort, dataDir, keepData);
        try {
            server.startup();
        } catch (RuntimeException e) {
            kafka.close(); // its threads, ports and files, so a failed start leaves nothing behind
            throw e;
        }
        try {
            kafka.createTopics(platformTopics());
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    /** What {@code kafka-storage.sh format --standalone} does, in process. */
    private static void format(Properties properties, Path dataDir) {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return; // formatted by an earlier run, whose cluster id it keeps
        }
        Path config = dataDir.resolve("server.properties");
        try (Writer writer = Files.newBufferedWriter(config)) {
            properties.store(writer, "fugou local broker");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        int exit = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString(),
                "--standalone", "--ignore-formatted"}, new PrintStream(java.io.OutputStream.nullOutputStream()));
        if (exit != 0) {
            throw new IllegalStateException("formatting Kafka's storage in " + dataDir + " failed with " + exit);
        }
    }

    /** Creates those of {@code topics} that do not exist yet (a kept broker has them from its first run). */
    private void createTopics(List<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            java.util.Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(topic -> !existing.contains(topic.name())).toList();
            admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the platform topics on " + bootstrapServers(), e);
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /**
     * Every platform topic and its dead-letter topic, as {@link NewTopic}s: the same partition
     * count everywhere, each topic's configs from its contract (services check the same at start).
     * Any Kafka the tests or the local run use is set up from this list.
     */
    public static List<NewTopic> platformTopics() {
        List<NewTopic> topics = new ArrayList<>();
        for (Topic<?> topic : Topics.ALL) {
            topics.add(new NewTopic(topic.name(), PARTITIONS, (short) 1).configs(topic.configs()));
            topics.add(new NewTopic(topic.deadLetterTopic(), PARTITIONS, (short) 1).configs(topic.deadLetterConfigs()));
        }
        return topics;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (keepData) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // the next run uses a directory of its own
        }
    }
}

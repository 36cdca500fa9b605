package io.fugou.infra;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka, PostgreSQL and the schema registry together, started in parallel. {@link #shared()} gives
 * the one instance of a JVM (the tests); {@link #start(Ports)} starts one on fixed ports (the local run).
 */
public final class LocalInfrastructure implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalInfrastructure.class);
    private static volatile LocalInfrastructure shared;

    private final LocalKafka kafka;
    private final LocalPostgres postgres;
    private final LocalSchemaRegistry registry;

    private LocalInfrastructure(LocalKafka kafka, LocalPostgres postgres, LocalSchemaRegistry registry) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.registry = registry;
    }

    /** Ports to listen on; 0 means any free port. */
    public record Ports(int kafka, int postgres, int registry) {
        public static final Ports ANY = new Ports(0, 0, 0);
    }

    /** The infrastructure of this JVM, started on first use and stopped when the JVM exits. */
    public static LocalInfrastructure shared() {
        if (shared == null) {
            synchronized (LocalInfrastructure.class) {
                if (shared == null) {
                    LocalInfrastructure started = start(Ports.ANY);
                    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-local-infrastructure"));
                    shared = started;
                }
            }
        }
        return shared;
    }

    /** Starts the three on files of their own, removed when they stop. */
    public static LocalInfrastructure start(Ports ports) {
        return start(ports, null);
    }

    /**
     * Starts the three with their data kept under {@code keptDataDir} (kafka/, postgres/, registry/),
     * so the next start on the same directory resumes with the same topics, records, offsets, databases
     * and schema ids; null keeps nothing.
     */
    public static LocalInfrastructure start(Ports ports, java.nio.file.Path keptDataDir) {
        long began = System.nanoTime();
        boolean keep = keptDataDir != null;
        var postgresDir = keep ? keptDataDir.resolve("postgres") : InfraDirectories.root().resolve("postgres-" + ProcessHandle.current().pid());
        CompletableFuture<LocalSchemaRegistry> registry = CompletableFuture.supplyAsync(
                () -> LocalSchemaRegistry.start(ports.registry(), keep ? keptDataDir.resolve("registry") : null));
        CompletableFuture<LocalPostgres> postgres = CompletableFuture.supplyAsync(() -> LocalPostgres.start(ports.postgres(), postgresDir, keep));
        LocalKafka kafka;
        try {
            kafka = keep ? LocalKafka.start(ports.kafka(), keptDataDir.resolve("kafka")) : LocalKafka.start(ports.kafka());
        } catch (RuntimeException e) {
            // Whatever did start is stopped, so a failed start (a taken port) leaves no process behind.
            registry.thenAccept(LocalSchemaRegistry::close);
            postgres.thenAccept(LocalPostgres::close);
            throw e;
        }
        LocalInfrastructure infrastructure;
        try {
            infrastructure = new LocalInfrastructure(kafka, postgres.join(), registry.join());
        } catch (RuntimeException e) {
            kafka.close();
            registry.thenAccept(LocalSchemaRegistry::close);
            postgres.thenAccept(LocalPostgres::close);
            throw e;
        }
        log.info("Local infrastructure up in {} ms: kafka={} postgres=localhost:{} registry={}",
                Duration.ofNanos(System.nanoTime() - began).toMillis(),
                kafka.bootstrapServers(), infrastructure.postgres.port(), infrastructure.registry.url());
        return infrastructure;
    }

    /** A local port nothing listens on right now. */
    public static int freePort() {
        return InfraDirectories.freePort();
    }

    public LocalKafka kafka() {
        return kafka;
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public LocalSchemaRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        // Each is stopped even when stopping another failed, so no process is left behind.
        for (AutoCloseable server : new AutoCloseable[] {registry, kafka, postgres}) {
            try {
                server.close();
            } catch (Exception e) {
                log.warn("Stopping {} failed: {}", server.getClass().getSimpleName(), e.toString());
            }
        }
    }
}

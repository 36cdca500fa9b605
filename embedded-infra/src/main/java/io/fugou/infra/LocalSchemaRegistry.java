package io.fugou.infra;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry speaking the Confluent REST API: Apicurio Registry's server, taken from
 * its ready-to-run distribution on Maven Central and run as a child process (it needs Java 21+).
 * The process is stopped on close or JVM exit; one left behind by a killed JVM is stopped at the
 * next start (its owner's pid is kept beside it).
 */
public final class LocalSchemaRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalSchemaRegistry.class);

    /** System property (or env FUGOU_APICURIO_ARCHIVE) with the path of apicurio-registry-app-*-all.tar.gz. */
    public static final String ARCHIVE_PROPERTY = "fugou.apicurio.archive";
    private static final String DEFAULT_VERSION = "3.3.3";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final Path pidFile;

    private LocalSchemaRegistry(Process process, int port, Path pidFile) {
        this.process = process;
        this.port = port;
        this.pidFile = pidFile;
    }

    /** Starts the registry on the given port (0 for any free port), compatibility BACKWARD by default, its schemas in memory. */
    public static LocalSchemaRegistry start(int port) {
        return start(port, null);
    }

    /**
     * Starts the registry as {@link #start(int)} does, its schemas kept in an H2 database file under
     * {@code keptDataDir} (null: in memory), so a second run gives every schema the id it had: the
     * records kept in Kafka carry those ids.
     */
    public static LocalSchemaRegistry start(int port, Path keptDataDir) {
        Path root = InfraDirectories.root();
        stopOrphans(root.resolve("registry-pids"));
        Path home = extract(archive(), root);
        if (port > 0) {
            InfraDirectories.requireFree(port, "the schema registry");
        }
        int httpPort = port > 0 ? port : InfraDirectories.freePort();
        Path logFile = root.resolve("registry-" + httpPort + ".log");
        List<String> command = new ArrayList<>(List.of(
                javaCommand(), "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.http.host=127.0.0.1",
                // Its management interface is built in (it cannot be turned off): on a free port of its own, so two registries can run side by side.
                "-Dquarkus.management.port=" + InfraDirectories.freePort(),
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.log.level=WARN",
                "-Dquarkus.log.category.\"io.quarkus\".level=INFO",
                "-Dapicurio.rules.global.compatibility=BACKWARD",
                "-Djava.io.tmpdir=" + InfraDirectories.createDirectories(root.resolve("registry-tmp")),
                "-jar", home.resolve("quarkus-run.jar").toString()));
        if (keptDataDir != null) {
            // Apicurio's own H2 storage, in a file instead of in memory.
            command.add(command.indexOf("-jar"), "-Dapicurio.datasource.url=jdbc:h2:file:" + InfraDirectories.createDirectories(keptDataDir).resolve("registry"));
        }
        try {
            Process process = new ProcessBuilder(command)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            Path pidFile = InfraDirectories.createDirectories(root.resolve("registry-pids")).resolve(process.pid() + ".pid");
            Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
            LocalSchemaRegistry registry = new LocalSchemaRegistry(process, httpPort, pidFile);
            Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "stop-schema-registry"));
            registry.awaitReady(logFile);
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("schema registry did not start: " + command, e);
        }
    }

    /** The Confluent-compatible API root, the value of {@code schema.registry.url}. */
    public String url() {
        return "http://localhost:" + port + "/apis/ccompat/v7";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // the next start cleans up after us
        }
    }

    private void awaitReady(Path logFile) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("schema registry exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(URI.create(url() + "/subjects")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    log.info("Schema registry ready at {}", url());
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the schema registry", e);
            }
            sleep(250);
        }
        close();
        throw new IllegalStateException("schema registry not ready within " + STARTUP_TIMEOUT + "; see " + logFile);
    }

    private static Path archive() {
        String configured = System.getProperty(ARCHIVE_PROPERTY, System.getenv("FUGOU_APICURIO_ARCHIVE"));
        Path archive = configured != null
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository", "io", "apicurio", "apicurio-registry-app",
                        DEFAULT_VERSION, "apicurio-registry-app-" + DEFAULT_VERSION + "-all.tar.gz");
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("Apicurio Registry distribution not found at " + archive
                    + "; build once with Maven (it resolves io.apicurio:apicurio-registry-app:tar.gz:all) or set -D" + ARCHIVE_PROPERTY);
        }
        return archive;
    }

    /** Unpacks the distribution once; a lock keeps parallel JVMs from unpacking over each other. */
    private static Path extract(Path archive, Path root) {
        String name = archive.getFileName().toString().replace(".tar.gz", "");
        Path home = root.resolve(name);
        Path done = home.resolve(".extracted");
        try (FileChannel lockChannel = FileChannel.open(root.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            if (Files.exists(done)) {
                return home;
            }
            log.info("Unpacking {} into {}", archive.getFileName(), home);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(archive));
                 TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path target = home.resolve(entry.getName()).normalize();
                    if (!target.startsWith(home)) {
                        throw new IOException("archive entry outside the target directory: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Files.writeString(done, archive.toString());
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + archive, e);
        }
    }

    /** Stops registries whose owning JVM is gone (killed before its shutdown hook ran). */
    private static void stopOrphans(Path pidDir) {
        if (!Files.isDirectory(pidDir)) {
            return;
        }
        try (Stream<Path> files = Files.list(pidDir)) {
            for (Path file : files.toList()) {
                long registryPid = Long.parseLong(file.getFileName().toString().replace(".pid", ""));
                long ownerPid = Long.parseLong(Files.readString(file).trim());
                boolean ownerAlive = ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false);
                if (!ownerAlive) {
                    Optional<ProcessHandle> orphan = ProcessHandle.of(registryPid);
                    orphan.filter(p -> p.info().commandLine().orElse("").contains("quarkus-run.jar"))
                            .ifPresent(p -> {
                                log.warn("Stopping schema registry {} left behind by a JVM that is gone", registryPid);
                                p.destroyForcibly();
                            });
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("Could not check for orphaned schema registries in {}: {}", pidDir, e.toString());
        }
    }

    private static String javaCommand() {
        String configured = System.getenv("FUGOU_REGISTRY_JAVA");
        if (configured != null) {
            return configured;
        }
        if (Runtime.version().feature() < 21) {
            throw new IllegalStateException("the schema registry needs Java 21+; run with JDK 21+ or set FUGOU_REGISTRY_JAVA");
        }
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

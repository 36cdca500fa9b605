package io.fugou.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One fugou service running from its executable jar in a JVM of its own, as it would be deployed. */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** JVM settings for a quick start on a small machine: the local run and the tests. */
    static final List<String> QUICK_START = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /**
     * JVM settings for the local run (deploy/run), which carries the simulated shop's load: the full JIT (C2; the quick
     * start's C1-only JIT costs throughput) and a throughput GC, in less memory than production as four share one machine.
     */
    static final List<String> UNDER_LOAD = List.of("-Xms128m", "-Xmx768m", "-XX:+UseParallelGC");
    /** JVM settings as in production (C2 JIT, a throughput GC): what benchmarks measure. */
    static final List<String> PRODUCTION = List.of("-Xmx2g", "-XX:+UseParallelGC");

    /** What every service needs to run on the local infrastructure with its own database, in local security mode. */
    public static Map<String, String> localEnvironment(io.fugou.infra.LocalInfrastructure infrastructure, io.fugou.infra.LocalPostgres.Database database) {
        Map<String, String> environment = new java.util.LinkedHashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafka().bootstrapServers());
        environment.put("SCHEMA_REGISTRY_URL", infrastructure.registry().url());
        environment.put("DATABASE_R2DBC_URL", database.r2dbcUrl());
        environment.put("DATABASE_JDBC_URL", database.jdbcUrl());
        environment.put("DATABASE_USER", database.user());
        environment.put("DATABASE_PASSWORD", database.password());
        // A local run asks for local tokens explicitly; production sets FUGOU_JWT_ISSUER_URI instead.
        environment.put("FUGOU_SECURITY_MODE", "local");
        return environment;
    }

    /**
     * JVM options that start {@code jar} from a class-data archive (AppCDS) made once by a training start: for a service
     * started again and again (the crash test's lives), whose JVMs are killed and so never write one themselves. The
     * classes must come from the application class loader, so the jar is first extracted (Spring Boot's
     * {@code -Djarmode=tools extract}); the training start builds the context and halts before any listener, consumer,
     * producer or web server starts ({@code spring.context.exit=onRefresh}, as Spring Boot documents for CDS), under an
     * instance id of its own all the same. The archive is kept per jar (size and time) and JDK; a failed training is
     * remembered, so every start after it goes on from the jar itself (slower, nothing else changes).
     */
    static synchronized Map.Entry<Path, List<String>> withClassArchive(String name, Path jar, Map<String, String> environment, Path workDir) {
        try {
            String stamp = Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis() + "-" + Runtime.version();
            Path directory = workDir.resolve(name + "-cds");
            Path extracted = directory.resolve(jar.getFileName());
            Path archive = directory.resolve(name + ".jsa");
            Path failed = directory.resolve(name + ".jsa.failed");
            Path stampFile = directory.resolve("made-from");
            if (!Files.isRegularFile(stampFile) || !Files.readString(stampFile).equals(stamp)) {
                org.springframework.util.FileSystemUtils.deleteRecursively(directory);
                if (run(List.of(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", directory.toString()), Map.of(),
                        workDir.resolve(name + "-cds-extract.log")) != 0) {
                    return Map.entry(jar, QUICK_START);
                }
                Files.writeString(stampFile, stamp);
            }
            if (!Files.isRegularFile(archive) && !Files.exists(failed)) {
                Path training = directory.resolve(name + ".jsa.tmp");
                List<String> command = new ArrayList<>(List.of(java()));
                command.addAll(QUICK_START);
                command.addAll(List.of("-XX:ArchiveClassesAtExit=" + training, "-Dspring.context.exit=onRefresh", "-jar", extracted.toString()));
                Map<String, String> trainingEnvironment = new java.util.HashMap<>(environment);
                trainingEnvironment.put("PORT", "0");
                trainingEnvironment.put("FUGOU_INSTANCE_ID", name + "-cds-training");
                trainingEnvironment.put("SPRING_KAFKA_LISTENER_AUTO_STARTUP", "false");
                if (run(command, trainingEnvironment, workDir.resolve(name + "-cds-training.log")) == 0 && Files.isRegularFile(training)) {
                    Files.move(training, archive, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.writeString(failed, "see " + workDir.resolve(name + "-cds-training.log"));
                }
            }
            if (!Files.isRegularFile(archive)) {
                return Map.entry(jar, QUICK_START);
            }
            List<String> options = new ArrayList<>(QUICK_START);
            options.add("-XX:SharedArchiveFile=" + archive);
            return Map.entry(extracted, options);
        } catch (IOException | RuntimeException e) {
            return Map.entry(jar, QUICK_START);
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Runs a command to its end (at most 3 minutes), its output in {@code log}; returns its exit code (-1: did not end). */
    private static int run(List<String> command, Map<String, String> environment, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static ServiceProcess start(String name, Path jar, int port, Map<String, String> environment, Path logDir) {
        return start(name, jar, port, environment, logDir, QUICK_START);
    }

    static ServiceProcess start(String name, Path jar, int port, Map<String, String> environment, Path logDir, List<String> jvmOptions) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build first (deploy/run does: mvn -DskipTests package)");
        }
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Djava.io.tmpdir=" + logDir, "-jar", jar.toString()));
        // Appended: a service restarted after a crash keeps one log.
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        builder.environment().put("PORT", Integer.toString(port));
        try {
            return new ServiceProcess(name, port, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    String name() {
        return name;
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public Path log() {
        return log;
    }

    /** Waits for the readiness probe; fails with the log's location if the service dies or never gets ready. */
    public void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
    }

    /** Waits for the readiness probe, as {@link #awaitReady}; a service that never gets ready is killed, not left behind. */
    public ServiceProcess readyWithin(Duration timeout) {
        try {
            awaitReady(timeout);
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
        return this;
    }

    /** SIGKILL: no shutdown hook, no graceful anything, as when a machine dies. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stop(process, Duration.ofSeconds(15));
    }

    /** SIGTERM (the process's shutdown hooks run), then SIGKILL if it has not exited within {@code grace}. */
    static void stop(Process process, Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}

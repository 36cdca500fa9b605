package io.fugou.deploy;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.fugou.platform.kafka.SchemaContracts;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * The whole platform on one machine with embedded defaults: a KRaft Kafka broker, PostgreSQL and
 * the schema registry, then the four services from their executable jars, each in its own JVM.
 * Prints where everything is and a token to try the API with; Ctrl-C stops it all.
 */
public final class LocalPlatform implements AutoCloseable {

    /** Fixed ports for people; {@link #anyPorts()} for tests that must not collide. */
    public record Ports(int kafka, int postgres, int registry, int member, int loyalty, int campaign, int analytics) {
        static Ports defaults() {
            return new Ports(9092, 15432, 8081, 8101, 8102, 8103, 8104);
        }
    }

    static final List<String> SERVICES = List.of("member-service", "loyalty-service", "campaign-service", "analytics-service");
    static final List<String> DEMO_SCOPES = List.of("members:read", "members:write", "members:manage", "loyalty:read", "loyalty:write",
            "loyalty:redeem", "loyalty:adjust", "loyalty:earn", "campaigns:read", "campaigns:write", "analytics:read");
    static final String DEMO_MERCHANT = "demo-merchant";
    private static final Duration SERVICE_STARTUP = Duration.ofMinutes(3);

    /** How a service was started, to start it again. */
    private record Launch(Path jar, int port, Map<String, String> environment, Path logDir) {
    }

    private final LocalInfrastructure infrastructure;
    private final List<ServiceProcess> services;
    private final Map<String, Launch> launches;
    private final String token;

    private LocalPlatform(LocalInfrastructure infrastructure, List<ServiceProcess> services, Map<String, Launch> launches, String token) {
        this.infrastructure = infrastructure;
        this.services = new java.util.concurrent.CopyOnWriteArrayList<>(services);
        this.launches = launches;
        this.token = token;
    }

    public static void main(String[] args) throws InterruptedException {
        Path projectDir = Path.of(System.getProperty("fugou.project.dir", System.getenv().getOrDefault("FUGOU_PROJECT_DIR", "."))).toAbsolutePath().normalize();
        Ports ports = "any".equalsIgnoreCase(System.getenv("FUGOU_PORTS")) ? anyPorts() : Ports.defaults();
        LocalPlatform platform = start(projectDir, ports);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping fugou...");
            platform.close();
            stopped.countDown();
        }, "stop-fugou"));
        platform.printSummary();
        stopped.await();
    }

    public static LocalPlatform start(Path projectDir, Ports ports) {
        long began = System.nanoTime();
        step("Starting Kafka (KRaft) on " + portName(ports.kafka()) + ", PostgreSQL on " + portName(ports.postgres())
                + " and the schema registry on " + portName(ports.registry()));
        LocalInfrastructure infrastructure = LocalInfrastructure.start(
                new LocalInfrastructure.Ports(ports.kafka(), ports.postgres(), ports.registry()));
        List<ServiceProcess> started = new ArrayList<>();
        Map<String, Launch> launches = new LinkedHashMap<>();
        try {
            step("Registering the topic contracts with the schema registry");
            SchemaContracts.registerAll(infrastructure.registry().url());
            Path logDir = projectDir.resolve("target/local-run/logs");
            java.nio.file.Files.createDirectories(logDir);
            Map<String, Integer> servicePorts = new LinkedHashMap<>();
            servicePorts.put("member-service", ports.member());
            servicePorts.put("loyalty-service", ports.loyalty());
            servicePorts.put("campaign-service", ports.campaign());
            servicePorts.put("analytics-service", ports.analytics());
            for (String service : SERVICES) {
                LocalPostgres.Database database = infrastructure.postgres().database(service.replace('-', '_'));
                Map<String, String> environment = ServiceProcess.localEnvironment(infrastructure, database);
                // A dashboard or tool served from any local port may call the APIs.
                environment.put("FUGOU_CORS_ALLOWED_ORIGINS", "http://localhost:*,http://127.0.0.1:*");
                if (service.equals("analytics-service")) {
                    // The broker is new each run, so the Streams state must be too (a kept store would count its orders twice).
                    Path state = projectDir.resolve("target/local-run/analytics-state");
                    org.springframework.util.FileSystemUtils.deleteRecursively(state);
                    environment.put("FUGOU_ANALYTICS_STATE_DIR", state.toString());
                }
                step("Starting " + service + " on port " + servicePorts.get(service) + " (log: " + logDir.resolve(service + ".log") + ")");
                Launch launch = new Launch(projectDir.resolve(service).resolve("target").resolve(service + ".jar"), servicePorts.get(service),
                        environment, logDir);
                launches.put(service, launch);
                started.add(ServiceProcess.start(service, launch.jar(), launch.port(), launch.environment(), launch.logDir()));
            }
            List<CompletableFuture<Void>> ready = started.stream()
                    .map(service -> CompletableFuture.runAsync(() -> {
                        service.awaitReady(SERVICE_STARTUP);
                        step(service.name() + " ready at " + service.url());
                    }))
                    .toList();
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
        } catch (IOException e) {
            stop(started, infrastructure);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stop(started, infrastructure);
            throw e;
        }
        step("fugou up in " + Duration.ofNanos(System.nanoTime() - began).toSeconds() + " s");
        return new LocalPlatform(infrastructure, started, launches, demoToken());
    }

    /** Stops one service (as an operator would, for a replay), and waits for it to be gone. */
    public void stop(String name) {
        ServiceProcess service = services.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        service.close();
        services.remove(service);
    }

    /** Starts a stopped service again, as it was, with {@code extra} environment, and waits until it is ready. */
    public void start(String name, Map<String, String> extra) {
        Launch launch = launches.get(name);
        Map<String, String> environment = new LinkedHashMap<>(launch.environment());
        environment.putAll(extra);
        ServiceProcess service = ServiceProcess.start(name, launch.jar(), launch.port(), environment, launch.logDir());
        services.add(service);
        service.awaitReady(SERVICE_STARTUP);
    }

    public List<String> serviceUrls() {
        return services.stream().map(ServiceProcess::url).toList();
    }

    public String serviceUrl(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().url();
    }

    /** Where a shop publishes: the broker's real address, as printed. */
    public String kafkaBootstrapServers() {
        return infrastructure.kafka().bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return infrastructure.registry().url();
    }

    public String token() {
        return token;
    }

    void printSummary() {
        StringBuilder summary = new StringBuilder("\n  fugou is running\n\n");
        for (ServiceProcess service : services) {
            summary.append(String.format("  %-18s %s   (API docs: %s/swagger-ui.html)%n", service.name(), service.url(), service.url()));
        }
        summary.append(String.format("%n  %-18s %s%n", "Kafka", infrastructure.kafka().bootstrapServers()));
        summary.append(String.format("  %-18s localhost:%d (user postgres, one database per service)%n", "PostgreSQL", infrastructure.postgres().port()));
        summary.append(String.format("  %-18s %s%n", "Schema registry", infrastructure.registry().url()));
        summary.append(String.format("%n  A token for merchant '%s' (scopes: %s), valid 12 h:%n%n  %s%n", DEMO_MERCHANT, String.join(" ", DEMO_SCOPES), token));
        summary.append(String.format("%n  Try: curl -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' "
                + "-d '{\"customerId\":\"some-buyer\",\"channel\":\"SHOP_HOME\"}' %s/api/v1/members%n", serviceUrl("member-service")));
        summary.append(String.format("       curl -H \"Authorization: Bearer $TOKEN\" %s/api/v1/members/some-buyer%n", serviceUrl("member-service")));
        summary.append(String.format("       curl -H \"Authorization: Bearer $TOKEN\" %s/api/v1/members/some-buyer/points%n", serviceUrl("loyalty-service")));
        summary.append(String.format("%n  The repurchase dashboard (live): %s/dashboard#token=%s%n", serviceUrl("analytics-service"), token));
        summary.append("  More tokens: POST /local/tokens {\"merchantId\":\"...\",\"scopes\":[...]} on any service.\n");
        summary.append("  Logs and data: target/local-run/ and target/infra/. Ctrl-C stops everything.\n");
        System.out.println(summary);
    }

    /** A token signed with the services' local key (the platform's default, or FUGOU_LOCAL_SIGNING_KEY). */
    static String demoToken() {
        return localToken(DEMO_MERCHANT, DEMO_SCOPES);
    }

    /** A token for a merchant with these scopes, valid 12 h, signed as {@link #demoToken()} is. */
    static String localToken(String merchant, List<String> scopes) {
        try {
            StandardEnvironment environment = new StandardEnvironment();
            environment.getPropertySources().addLast(new ResourcePropertySource(new ClassPathResource("fugou-platform-defaults.properties")));
            LocalTokens tokens = new LocalTokens(environment.getRequiredProperty("fugou.security.local-signing-key"),
                    environment.getRequiredProperty("fugou.security.local-issuer"), Clock.systemUTC());
            return tokens.issue(new MerchantId(merchant), scopes, Duration.ofHours(12)).token();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Ports anyPorts() {
        return new Ports(LocalInfrastructure.freePort(), LocalInfrastructure.freePort(), LocalInfrastructure.freePort(),
                LocalInfrastructure.freePort(), LocalInfrastructure.freePort(), LocalInfrastructure.freePort(), LocalInfrastructure.freePort());
    }

    private static String portName(int port) {
        return "localhost:" + port;
    }

    private static void step(String message) {
        System.out.println("[fugou] " + message);
    }

    private static void stop(List<ServiceProcess> services, LocalInfrastructure infrastructure) {
        services.forEach(ServiceProcess::close);
        infrastructure.close();
    }

    @Override
    public void close() {
        stop(services, infrastructure);
    }
}

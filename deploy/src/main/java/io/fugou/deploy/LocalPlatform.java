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
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * The whole platform on one machine with embedded defaults: a KRaft Kafka broker, PostgreSQL and
 * the schema registry, then the four services from their executable jars, each in its own JVM, and
 * the simulated shop. Prints where everything is and a token to try the API with; Ctrl-C stops it all.
 * The data stays in {@code local-data/} between runs ({@code --fresh} starts clean).
 */
public final class LocalPlatform implements AutoCloseable {

    /**
     * Fixed ports for people; {@link #anyPorts()} for tests that must not collide. A service's further instances listen
     * 10, 20... above its first when the ports are fixed, on free ports otherwise.
     */
    public record Ports(int kafka, int postgres, int registry, int member, int loyalty, int campaign, int analytics, boolean fixed) {
        static Ports defaults() {
            return new Ports(9092, 15432, 8081, 8101, 8102, 8103, 8104, true);
        }

        int instance(int firstPort, int instance) {
            return instance == 1 ? firstPort : fixed ? firstPort + 10 * (instance - 1) : LocalInfrastructure.freePort();
        }
    }

    /** The services that scale by partitions: --instances starts that many of each. */
    static final List<String> SCALED = List.of("loyalty-service", "analytics-service");

    static final List<String> SERVICES = List.of("member-service", "loyalty-service", "campaign-service", "analytics-service");
    static final List<String> DEMO_SCOPES = List.of("members:read", "members:write", "members:manage", "loyalty:read", "loyalty:write",
            "loyalty:redeem", "loyalty:adjust", "loyalty:earn", "campaigns:read", "campaigns:write", "analytics:read");
    static final String DEMO_MERCHANT = "demo-merchant";
    private static final Duration SERVICE_STARTUP = Duration.ofMinutes(3);

    /** How a service instance was started, to start it again. */
    private record Launch(String name, Path jar, int port, Map<String, String> environment, Path logDir, List<String> jvmOptions) {

        ServiceProcess start(Map<String, String> extraEnvironment) {
            Map<String, String> environment = new LinkedHashMap<>(this.environment);
            environment.putAll(extraEnvironment);
            return ServiceProcess.start(name, jar, port, environment, logDir, jvmOptions);
        }
    }

    private final LocalInfrastructure infrastructure;
    private final List<ServiceProcess> services;
    private final Map<String, Launch> launches;
    private final String token;
    private final Path projectDir;
    private final Path keptData;
    private volatile Process shop;

    private LocalPlatform(LocalInfrastructure infrastructure, List<ServiceProcess> services, Map<String, Launch> launches, String token,
                          Path projectDir, Path keptData) {
        this.infrastructure = infrastructure;
        this.services = new java.util.concurrent.CopyOnWriteArrayList<>(services);
        this.launches = new java.util.concurrent.ConcurrentHashMap<>(launches);
        this.token = token;
        this.projectDir = projectDir;
        this.keptData = keptData;
    }

    /** Starts the platform on data of its own, deleted when it stops, with JVMs set for a quick start (the tests). */
    public static LocalPlatform start(Path projectDir, Ports ports) {
        return start(projectDir, ports, null, ServiceProcess.QUICK_START, 1);
    }

    /**
     * Starts the platform with its data kept in {@code keptData} (null: on data of its own, deleted when it stops),
     * each service in a JVM with {@code jvmOptions}, {@code instances} of each service in {@link #SCALED} (sharing its
     * partitions; analytics' instances answer each other's queries).
     */
    public static LocalPlatform start(Path projectDir, Ports ports, Path keptData, List<String> jvmOptions, int instances) {
        long began = System.nanoTime();
        step("Starting Kafka (KRaft) on " + portName(ports.kafka()) + ", PostgreSQL on " + portName(ports.postgres())
                + " and the schema registry on " + portName(ports.registry())
                + (keptData == null ? "" : java.nio.file.Files.exists(keptData) ? ", with the data of the last run (" + keptData + ")"
                        : ", their data kept in " + keptData));
        LocalInfrastructure infrastructure = LocalInfrastructure.start(
                new LocalInfrastructure.Ports(ports.kafka(), ports.postgres(), ports.registry()), keptData);
        List<ServiceProcess> started = new ArrayList<>();
        Map<String, Launch> launches = new LinkedHashMap<>();
        try {
            step("Registering the topic contracts with the schema registry");
            SchemaContracts.registerAll(infrastructure.registry().url());
            java.nio.file.Files.createDirectories(projectDir.resolve("target/local-run/logs"));
            for (String service : SERVICES) {
                int count = SCALED.contains(service) ? instances : 1;
                for (int instance = 1; instance <= count; instance++) {
                    Launch launch = launch(service, instance, infrastructure, ports, projectDir, keptData, jvmOptions);
                    step("Starting " + launch.name() + " on port " + launch.port() + " (log: " + launch.logDir().resolve(launch.name() + ".log") + ")");
                    launches.put(launch.name(), launch);
                    started.add(launch.start(Map.of()));
                }
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
        step("fugou up in " + Duration.ofNanos(System.nanoTime() - began).toSeconds() + " s; " + ProcessMemory.describe(infrastructure.postgres().processes()));
        return new LocalPlatform(infrastructure, started, launches, demoToken(), projectDir, keptData);
    }

    /** How instance {@code instance} (from 1) of {@code service} runs on this machine: port, environment, state. */
    private static Launch launch(String service, int instance, LocalInfrastructure infrastructure, Ports ports, Path projectDir, Path keptData,
                                 List<String> jvmOptions) {
        String name = instance == 1 ? service : service + "-" + instance;
        Map<String, String> environment = ServiceProcess.localEnvironment(infrastructure, infrastructure.postgres().database(service.replace('-', '_')));
        // A dashboard or tool served from any local port may call the APIs.
        environment.put("FUGOU_CORS_ALLOWED_ORIGINS", "http://localhost:*,http://127.0.0.1:*");
        // Stable and distinct per instance: Kafka transactional ids, static membership, outbox shares.
        environment.put("FUGOU_INSTANCE_ID", service.substring(0, service.indexOf('-')) + "-local-" + instance);
        if (service.equals("analytics-service")) {
            // The Streams state goes with the broker's data: kept with it, or new with a new broker (a kept store on a
            // new broker would count its orders twice). One directory per instance.
            String directory = "analytics-state" + (instance == 1 ? "" : "-" + instance);
            Path state = keptData != null ? keptData.resolve(directory) : projectDir.resolve("target/local-run").resolve(directory);
            if (keptData == null) {
                org.springframework.util.FileSystemUtils.deleteRecursively(state.toFile());
            }
            environment.put("FUGOU_ANALYTICS_STATE_DIR", state.toString());
            // Queries for buyers whose state another instance holds are sent there.
            environment.put("FUGOU_ANALYTICS_ADVERTISED_HOST", "localhost");
        }
        int firstPort = switch (service) {
            case "member-service" -> ports.member();
            case "loyalty-service" -> ports.loyalty();
            case "campaign-service" -> ports.campaign();
            case "analytics-service" -> ports.analytics();
            default -> throw new IllegalArgumentException(service);
        };
        return new Launch(name, projectDir.resolve(service).resolve("target").resolve(service + ".jar"), ports.instance(firstPort, instance),
                environment, projectDir.resolve("target/local-run/logs"), jvmOptions);
    }

    /** How many processes the platform runs and the memory they use. */
    public String memory() {
        return ProcessMemory.describe(infrastructure.postgres().processes());
    }

    /**
     * Starts the simulated shop in a JVM of its own, its output on this console: it sets the merchants up through the
     * APIs, then publishes what their buyers do. With kept data it goes on from where the last run's shop stopped.
     */
    public Process startShop(List<String> extraArgs) {
        return startShop(extraArgs, ProcessBuilder.Redirect.INHERIT);
    }

    /** Starts the simulated shop as {@link #startShop(List)} does, its output sent to {@code output}. */
    public Process startShop(List<String> extraArgs, ProcessBuilder.Redirect output) {
        Path jar = projectDir.resolve("shop-simulator/target/shop-simulator.jar");
        if (!java.nio.file.Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build first (deploy/run does: mvn -DskipTests package)");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-XX:+UseSerialGC",
                "-jar", jar.toString(),
                "--bootstrap-servers", kafkaBootstrapServers(), "--schema-registry-url", schemaRegistryUrl(),
                "--member-url", serviceUrl("member-service"), "--loyalty-url", serviceUrl("loyalty-service"),
                "--campaign-url", serviceUrl("campaign-service")));
        if (keptData != null) {
            command.addAll(List.of("--state-file", keptData.resolve("shop/state.json").toString()));
        }
        command.addAll(extraArgs);
        step("Starting the simulated shop (merchants demo-merchant and tea-house); its progress follows");
        try {
            shop = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
            return shop;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated shop", e);
        }
    }

    /** Stops one service (as an operator would, for a replay), and waits for it to be gone. */
    public void stop(String name) {
        ServiceProcess service = services.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        service.close();
        services.remove(service);
    }

    /** Starts a stopped service again, as it was, with {@code extra} environment, and waits until it is ready. */
    public void start(String name, Map<String, String> extra) {
        ServiceProcess service = launches.get(name).start(extra);
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
        summary.append(String.format("  The repurchase dashboard (live): %s/dashboard#token=%s%n%n", serviceUrl("analytics-service"), token));
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
        summary.append("  More tokens: POST /local/tokens {\"merchantId\":\"...\",\"scopes\":[...]} on any service.\n");
        summary.append("  Logs: target/local-run/logs/. " + (keptData == null ? "" : "Data: " + keptData + " (kept between runs; --fresh starts clean). ")
                + "Ctrl-C stops everything.\n");
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
                LocalInfrastructure.freePort(), LocalInfrastructure.freePort(), LocalInfrastructure.freePort(), LocalInfrastructure.freePort(), false);
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
        Process running = shop;
        if (running != null) {
            ServiceProcess.stop(running, Duration.ofSeconds(30)); // the shop saves how far it got, then exits
        }
        stop(services, infrastructure);
        step("Stopped" + (keptData == null ? "" : "; the data stays in " + keptData + " for the next run (--fresh starts clean)"));
    }
}

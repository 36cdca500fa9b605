package io.fugou.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What a newcomer sees in their first minutes, checked against a running {@code deploy/run}: the dashboard's repurchase
 * rate above zero, members holding points in loyalty, coupons issued by campaign-service; then a screenshot of the
 * dashboard in headless Chromium. Run by {@code deploy/check-demo}, which starts and stops the platform around it.
 */
@Command(name = "demo-check", mixinStandardHelpOptions = true)
public final class DemoCheck implements Callable<Integer> {

    private static final Pattern TOKEN = Pattern.compile("\\beyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--run-log", required = true, description = "The output of deploy/run, where the demo token is printed")
    Path runLog;

    @Option(names = "--within", defaultValue = "120", description = "Seconds the figures may take to show (default: ${DEFAULT-VALUE})")
    long withinSeconds;

    @Option(names = "--screenshot", description = "Where to save the dashboard's picture")
    Path screenshot;

    @Option(names = "--chromium", defaultValue = "/usr/bin/chromium")
    Path chromium;

    @Option(names = "--member-url", defaultValue = "http://localhost:8101")
    URI member;

    @Option(names = "--loyalty-url", defaultValue = "http://localhost:8102")
    URI loyalty;

    @Option(names = "--campaign-url", defaultValue = "http://localhost:8103")
    URI campaign;

    @Option(names = "--analytics-url", defaultValue = "http://localhost:8104")
    URI analytics;

    @Option(names = "--second-instances", description = "Also check deploy/run --instances 2: loyalty's partitions shared by both "
            + "instances, and the second analytics instance (this URL) answering as the first does")
    URI secondAnalytics;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092")
    String bootstrapServers;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoCheck()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Matcher token = TOKEN.matcher(Files.readString(runLog));
        if (!token.find()) {
            System.out.println("[check] FAIL: no token printed in " + runLog);
            return 1;
        }
        String bearer = token.group();
        Instant began = Instant.now();
        Instant deadline = began.plusSeconds(withinSeconds);
        Map<String, String> met = new LinkedHashMap<>();
        Map<String, String> last = new LinkedHashMap<>();
        while (met.size() < 3 && Instant.now().isBefore(deadline)) {
            check("dashboard repurchase rate", met, last, began, () -> {
                JsonNode windows = get(analytics.resolve("/api/v1/analytics/headline"), bearer).path("repurchase");
                StringBuilder shown = new StringBuilder();
                boolean moving = false;
                for (String window : List.of("30d", "90d", "365d")) {
                    JsonNode figure = windows.path(window);
                    moving |= figure.path("repurchaseRate").asDouble() > 0;
                    shown.append(String.format("%s%s %.1f%% of %d buyers", shown.isEmpty() ? "" : ", ", window,
                            100 * figure.path("repurchaseRate").asDouble(), figure.path("buyers").asLong()));
                }
                return moving ? shown + " bought again" : null;
            });
            check("members with points", met, last, began, () -> {
                JsonNode outstanding = get(loyalty.resolve("/api/v1/points/totals"), bearer).path("outstanding");
                return outstanding.path("members").asLong() > 0 ? String.format("%d members hold %d points (%d pending)",
                        outstanding.path("members").asLong(), outstanding.path("available").asLong(), outstanding.path("pending").asLong()) : null;
            });
            check("coupons issued", met, last, began, () -> {
                long coupons = 0;
                int campaigns = 0;
                for (JsonNode listed : get(campaign.resolve("/api/v1/campaigns?limit=200"), bearer).path("items")) {
                    campaigns++;
                    for (JsonNode row : get(campaign.resolve("/api/v1/campaigns/" + listed.path("campaignId").asText() + "/report"), bearer).path("rows")) {
                        coupons += row.path("coupons").asLong();
                    }
                }
                return coupons > 0 ? String.format("%d coupons issued by %d campaigns", coupons, campaigns) : null;
            });
            if (met.size() < 3) {
                Thread.sleep(2_000);
            }
        }
        if (met.size() == 3 && secondAnalytics != null) {
            Instant instancesDeadline = Instant.now().plusSeconds(withinSeconds);
            while (met.size() < 6 && Instant.now().isBefore(instancesDeadline)) {
                check("loyalty's partitions shared", met, last, began, () -> {
                    List<String> holders = partitionHolders("loyalty-service");
                    return holders.stream().anyMatch(id -> id.contains("loyalty-local-1")) && holders.stream().anyMatch(id -> id.contains("loyalty-local-2"))
                            ? "consumers holding partitions: " + holders : null;
                });
                check("analytics' partitions shared", met, last, began, () -> {
                    // Streams members are named <application id>-<process id>-StreamThread-<n>-consumer: one process id per instance.
                    java.util.Set<String> instances = new java.util.TreeSet<>();
                    partitionHolders(ReplayAnalytics.APPLICATION_ID).forEach(id -> instances.add(id.replaceAll("-StreamThread-.*", "")));
                    return instances.size() >= 2 ? instances.size() + " analytics instances hold Streams tasks" : null;
                });
                check("second analytics instance answers", met, last, began, () -> {
                    JsonNode first = get(analytics.resolve("/api/v1/analytics/headline"), bearer).path("repurchase").path("365d");
                    JsonNode second = get(secondAnalytics.resolve("/api/v1/analytics/headline"), bearer).path("repurchase").path("365d");
                    return second.path("buyers").asLong() > 0 && second.path("buyers").asLong() >= first.path("buyers").asLong() - 50
                            ? String.format("%s: 365d %d buyers (the first instance: %d)", secondAnalytics, second.path("buyers").asLong(),
                                    first.path("buyers").asLong()) : null;
                });
                if (met.size() < 6) {
                    Thread.sleep(2_000);
                }
            }
        }
        int expected = secondAnalytics == null ? 3 : 6;
        if (met.size() < expected) {
            last.keySet().removeAll(met.keySet());
            System.out.println("[check] FAIL: not within " + withinSeconds + " s: " + last);
            return 1;
        }
        if (screenshot != null) {
            Thread.sleep(5_000); // the dashboard's next redraw has the figures of the last seconds
            return screenshot(bearer) ? 0 : 1;
        }
        return 0;
    }

    private interface Figure {
        String read() throws Exception;
    }

    /** Records when a figure first shows; what it said last, for a failure's message. */
    private static void check(String name, Map<String, String> met, Map<String, String> last, Instant began, Figure figure) {
        if (met.containsKey(name)) {
            return;
        }
        try {
            String shown = figure.read();
            if (shown != null) {
                met.put(name, shown);
                System.out.printf("[check] %s after %d s: %s%n", name, Duration.between(began, Instant.now()).toSeconds(), shown);
            } else {
                last.put(name, "still zero");
            }
        } catch (Exception e) {
            last.put(name, e.getMessage());
        }
    }

    /** The members of a consumer group that hold partitions now, by their static member id. */
    private List<String> partitionHolders(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members().stream()
                    .filter(member -> !member.assignment().topicPartitions().isEmpty())
                    .map(member -> member.groupInstanceId().orElse(member.clientId())).sorted().toList();
        }
    }

    private JsonNode get(URI uri, String bearer) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + bearer).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private boolean screenshot(String bearer) throws IOException, InterruptedException {
        Files.createDirectories(screenshot.toAbsolutePath().getParent());
        Files.deleteIfExists(screenshot);
        Path profile = Files.createTempDirectory(screenshot.toAbsolutePath().getParent(), "chromium-profile");
        List<String> command = List.of(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--window-size=1400,2400", "--virtual-time-budget=20000", "--lang=en-US",
                "--screenshot=" + screenshot.toAbsolutePath(), analytics.resolve("/dashboard") + "#token=" + bearer);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean exited = process.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        org.springframework.util.FileSystemUtils.deleteRecursively(profile);
        if (!Files.isRegularFile(screenshot) || Files.size(screenshot) < 10_000) {
            System.out.println("[check] FAIL: no screenshot of the dashboard from " + chromium);
            return false;
        }
        System.out.println("[check] dashboard screenshot: " + screenshot + " (" + Files.size(screenshot) / 1024 + " KiB)");
        return true;
    }
}

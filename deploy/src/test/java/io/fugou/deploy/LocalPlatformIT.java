package io.fugou.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fugou.deploy.k8s.KubernetesManifests;
import io.fugou.events.Topics;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's run command keeps working: the whole platform starts from the built jars and answers. */
class LocalPlatformIT {

    private static LocalPlatform platform;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startPlatform() {
        platform = LocalPlatform.start(Path.of(System.getProperty("fugou.project.dir", "..")), LocalPlatform.anyPorts());
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void everyServiceIsReady() throws Exception {
        assertThat(platform.serviceUrls()).hasSize(4);
        for (String url : platform.serviceUrls()) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(url).isEqualTo(200);
            assertThat(health.body()).contains("UP");
        }
    }

    @Test
    void aShopThatOnlyKnowsThePrintedAddressesAndTheLatestSchemaGetsItsOrderRecorded() throws Exception {
        String orderId = "shop-order-" + UUID.randomUUID();
        Map<String, Object> shopConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafkaBootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, platform.schemaRegistryUrl(),
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false,
                AvroSerdeConfig.USE_LATEST_VERSION, true);
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(shopConfig, false);
        Money total = Money.newBuilder().setAmountMinor(25_800).setCurrency("CNY").build();
        OrderEvent paid = OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId("demo-merchant")
                .setCustomerId("buyer-1")
                // Avro's builder fills defaulted record arrays through its class-trust check: set them, as a shop does.
                .setPayload(OrderPaid.newBuilder().setOrderId(orderId).setTotal(total).setCouponCodes(List.of()).setCouponRedemptions(List.of())
                        .setLines(List.of(OrderLine.newBuilder().setSku("BEER-101").setCategory("drinks/beer").setQuantity(2)
                                .setUnitPrice(Money.newBuilder().setAmountMinor(12_900).setCurrency("CNY").build()).build()))
                        .build())
                .build();

        try (KafkaProducer<String, Object> shop = new KafkaProducer<>(shopConfig, new StringSerializer(), serializer)) {
            shop.send(new ProducerRecord<>(Topics.ORDERS.name(), "demo-merchant:buyer-1", paid)).get(30, TimeUnit.SECONDS);
        }

        String loyalty = platform.serviceUrl("loyalty-service");
        Instant deadline = Instant.now().plusSeconds(60);
        int status = 0;
        while (Instant.now().isBefore(deadline) && status != 200) {
            status = http.send(HttpRequest.newBuilder(URI.create(loyalty + "/api/v1/paid-orders/" + orderId))
                    .header("Authorization", "Bearer " + platform.token()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            Thread.sleep(500);
        }
        assertThat(status).as("loyalty-service serves the shop's order").isEqualTo(200);
    }

    @Test
    void theSimulatedShopSetsItsMerchantsUpAndMakesTheirFiguresMove() throws Exception {
        // Five weeks of two shops in a few seconds, then the shop stops (deploy/run lets it go on in real time).
        Path output = Path.of("target", "shop-simulator.log");
        Process shop = platform.startShop(List.of("--history-days", "35", "--speed", "2592000", "--until-present", "--seed", "7"),
                ProcessBuilder.Redirect.to(output.toFile()));
        assertThat(shop.waitFor(3, TimeUnit.MINUTES)).as("the shop reaches the present").isTrue();
        String shown = java.nio.file.Files.readString(output);
        System.out.print(shown);
        assertThat(shop.exitValue()).as(shown).isZero();
        assertThat(shown).contains("[shop] demo-merchant: set up membership programme", "campaign 'Win back'", "[shop] reached the present");

        String token = platform.token(); // demo-merchant, the shop's first merchant
        JsonNode repurchase = awaitJson(platform.serviceUrl("analytics-service") + "/api/v1/analytics/repurchase?window=30d", token,
                figure -> figure.path("repurchaseRate").asDouble() > 0);
        assertThat(repurchase.path("repeatBuyers").asLong()).isPositive().isLessThan(repurchase.path("buyers").asLong());
        awaitJson(platform.serviceUrl("loyalty-service") + "/api/v1/points/totals", token,
                totals -> totals.path("outstanding").path("members").asLong() > 0);
        JsonNode campaigns = awaitJson(platform.serviceUrl("campaign-service") + "/api/v1/campaigns?limit=50", token,
                list -> list.path("items").size() >= 8);
        long coupons = 0;
        for (JsonNode campaign : campaigns.path("items")) {
            assertThat(campaign.path("status").asText()).as(campaign.path("definition").path("name").asText()).isEqualTo("ACTIVE");
        }
        Instant deadline = Instant.now().plusSeconds(90);
        while (coupons == 0 && Instant.now().isBefore(deadline)) {
            for (JsonNode campaign : campaigns.path("items")) {
                String report = get(platform.serviceUrl("campaign-service") + "/api/v1/campaigns/" + campaign.path("campaignId").asText() + "/report", token);
                for (JsonNode row : JSON.readTree(report).path("rows")) {
                    coupons += row.path("coupons").asLong();
                }
            }
            Thread.sleep(1_000);
        }
        assertThat(coupons).as("coupons issued by the shop's campaigns").isPositive();
        // The second merchant, set up and selling too.
        String teaHouse = LocalPlatform.localToken("tea-house", List.of("analytics:read"));
        awaitJson(platform.serviceUrl("analytics-service") + "/api/v1/analytics/repurchase?window=30d", teaHouse, figure -> figure.path("buyers").asLong() > 0);
    }

    @Test
    void theGrafanaDashboardShowsOnlyMetricsTheServicesExportWithTheLabelsItGroupsBy() throws Exception {
        Map<String, java.util.Set<String>> exported = new java.util.HashMap<>(); // metric -> its labels
        java.util.regex.Pattern label = java.util.regex.Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        for (String url : platform.serviceUrls()) {
            for (String line : http.send(HttpRequest.newBuilder(URI.create(url + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString())
                    .body().split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    java.util.Set<String> labels = exported.computeIfAbsent(line.split("[{ ]", 2)[0], name -> new java.util.HashSet<>());
                    java.util.regex.Matcher names = label.matcher(line.contains("{") ? line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1) : "");
                    while (names.find()) {
                        labels.add(names.group(1));
                    }
                }
            }
        }
        JsonNode dashboard = JSON.readTree(Path.of(System.getProperty("fugou.project.dir", "..")).resolve("deploy/grafana/fugou-dashboard.json").toFile());
        java.util.regex.Pattern metric = java.util.regex.Pattern.compile("([a-z_][a-z0-9_]*)\\{");
        java.util.regex.Pattern groupedBy = java.util.regex.Pattern.compile("by \\(([^)]*)\\)");
        java.util.Set<String> used = new java.util.TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expression = target.path("expr").asText();
                java.util.Set<String> groups = new java.util.HashSet<>();
                java.util.regex.Matcher by = groupedBy.matcher(expression);
                while (by.find()) {
                    java.util.Arrays.stream(by.group(1).split(",")).map(String::trim).filter(name -> !name.equals("job") && !name.equals("le")).forEach(groups::add);
                }
                java.util.regex.Matcher names = metric.matcher(expression);
                while (names.find()) {
                    String name = names.group(1);
                    used.add(name);
                    // Registered at a service's first dead letter, so absent from a platform that had none.
                    if (!name.equals("fugou_kafka_dead_letters_total")) {
                        assertThat(exported).as(panel.path("title").asText()).containsKey(name);
                        assertThat(exported.get(name)).as(name + " grouped by " + groups).containsAll(groups);
                    }
                }
            }
        }
        assertThat(used).hasSizeGreaterThan(5).contains("kafka_consumer_fetch_manager_records_lag_max", "http_server_requests_seconds_count");
        assertThat(exported).containsKey("jvm_info"); // the dashboard's list of services
    }

    /**
     * The services create the topics they need; on Kubernetes, Strimzi must know each of them (deploy/k8s/base/topics.yaml)
     * with the partitions and every config the services set, or the two would keep undoing each other's settings.
     */
    @Test
    void everyTopicTheServicesUseHasAKafkaTopicForKubernetesWithItsPartitionsAndConfigs() throws Exception {
        Map<String, Map<String, Object>> kafkaTopics = new java.util.HashMap<>();
        for (Map<String, Object> object : KubernetesManifests.render("base")) {
            if (KubernetesManifests.kind(object).equals("KafkaTopic")) {
                kafkaTopics.put(KubernetesManifests.topicName(object), KubernetesManifests.map(object, "spec"));
            }
        }
        Map<String, Integer> partitions = new java.util.TreeMap<>();
        Map<String, Map<String, String>> configs = new java.util.TreeMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafkaBootstrapServers()))) {
            // Kafka's own, and Kafka Streams' internal topics (changelogs, repartitions), which Streams manages.
            java.util.Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(name -> !name.startsWith("__") && !name.startsWith(ReplayAnalytics.APPLICATION_ID + "-")).collect(java.util.stream.Collectors.toSet());
            admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS)
                    .forEach((name, description) -> partitions.put(name, description.partitions().size()));
            admin.describeConfigs(names.stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all()
                    .get(30, TimeUnit.SECONDS).forEach((resource, config) -> configs.put(resource.name(), config.entries().stream()
                            .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                            .collect(java.util.stream.Collectors.toMap(ConfigEntry::name, ConfigEntry::value))));
        }

        assertThat(partitions).hasSizeGreaterThan(20).containsKeys(Topics.ORDERS.name(), Topics.ORDERS.deadLetterTopic());
        // The local registry (Apicurio) keeps its schemas elsewhere; Confluent's, on Kubernetes, in _schemas.
        assertThat(kafkaTopics).containsKeys(partitions.keySet().toArray(String[]::new)).containsKey("_schemas");
        partitions.forEach((topic, count) -> {
            assertThat(kafkaTopics.get(topic)).as(topic).containsEntry("partitions", count);
            Map<String, Object> kafkaTopicConfig = java.util.Objects.requireNonNullElse(KubernetesManifests.map(kafkaTopics.get(topic), "config"), Map.of());
            configs.get(topic).forEach((name, value) ->
                    assertThat(String.valueOf(kafkaTopicConfig.get(name))).as(topic + " " + name + ", as the services set it").isEqualTo(value));
        });
    }

    @Test
    void thePrintedTokenIsAcceptedAndScopedToTheDemoMerchant() throws Exception {
        String loyalty = platform.serviceUrl("loyalty-service");

        HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(URI.create(loyalty + "/api/v1/paid-orders/unknown"))
                .header("Authorization", "Bearer " + platform.token()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> withoutToken = http.send(HttpRequest.newBuilder(URI.create(loyalty + "/api/v1/paid-orders/unknown")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(withToken.statusCode()).isEqualTo(404);
        assertThat(withoutToken.statusCode()).isEqualTo(401);
        assertThat(withoutToken.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
    }

    @Test
    void theReplayCommandRebuildsAnalyticsFiguresFromTheTopicsShowingItsProgress() throws Exception {
        String merchant = "replay-" + UUID.randomUUID().toString().substring(0, 8);
        String token = LocalPlatform.localToken(merchant, List.of("analytics:read"));
        Map<String, Object> shopConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.kafkaBootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, platform.schemaRegistryUrl());
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(shopConfig, false);
        try (KafkaProducer<String, Object> shop = new KafkaProducer<>(shopConfig, new StringSerializer(), serializer)) {
            for (String[] order : new String[][] {{"A", "a1", "10"}, {"A", "a2", "2"}, {"B", "b1", "1"}}) {
                shop.send(new ProducerRecord<>(Topics.ORDERS.name(), merchant + ":" + order[0], paid(merchant, order[0], order[1],
                        Instant.now().minus(Duration.ofDays(Long.parseLong(order[2])))))).get(30, TimeUnit.SECONDS);
            }
        }
        String figure = platform.serviceUrl("analytics-service") + "/api/v1/analytics/repurchase?window=30d";
        awaitBody(figure, token, "\"buyers\":2", "\"repeatBuyers\":1");
        assertThatThrownBy(() -> ReplayAnalytics.reset(platform.kafkaBootstrapServers(), ReplayAnalytics.APPLICATION_ID, System.out))
                .hasMessageContaining("stop every analytics-service instance first");

        java.io.ByteArrayOutputStream output = new java.io.ByteArrayOutputStream();
        java.io.PrintStream progress = new java.io.PrintStream(output, true, java.nio.charset.StandardCharsets.UTF_8);
        platform.stop("analytics-service");
        try {
            ReplayAnalytics.reset(platform.kafkaBootstrapServers(), ReplayAnalytics.APPLICATION_ID, progress);
        } finally {
            platform.start("analytics-service", Map.of("FUGOU_ANALYTICS_CLEAN_UP_ON_START", "true"));
        }
        assertThat(ReplayAnalytics.watch(platform.kafkaBootstrapServers(), ReplayAnalytics.APPLICATION_ID, Duration.ofMinutes(2), progress)).isTrue();

        String shown = output.toString(java.nio.charset.StandardCharsets.UTF_8);
        System.out.print(shown);
        assertThat(shown).contains("records read:", "lag:", "records/s");
        java.util.regex.Matcher caughtUp = java.util.regex.Pattern.compile("Caught up: ([0-9,]+) records read").matcher(shown);
        assertThat(caughtUp.find()).as(shown).isTrue();
        assertThat(Long.parseLong(caughtUp.group(1).replace(",", ""))).as("read again from the start").isGreaterThanOrEqualTo(3);
        // The same figures, rebuilt: nothing counted twice.
        awaitBody(figure, token, "\"buyers\":2", "\"repeatBuyers\":1");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private String get(String url, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private JsonNode awaitJson(String url, String token, Predicate<JsonNode> shows)
            throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        JsonNode body = null;
        while (Instant.now().isBefore(deadline)) {
            body = JSON.readTree(get(url, token));
            if (shows.test(body)) {
                return body;
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError(url + " never showed what was expected; last: " + body);
    }

    private void awaitBody(String url, String token, String... expected) throws Exception {
        Instant deadline = Instant.now().plusSeconds(90);
        String body = "";
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            body = response.body();
            if (response.statusCode() == 200 && java.util.Arrays.stream(expected).allMatch(body::contains)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(url + " never answered " + String.join(", ", expected) + "; last: " + body);
    }

    private static OrderEvent paid(String merchant, String customer, String orderId, Instant at) {
        Money price = Money.newBuilder().setAmountMinor(12_900).setCurrency("CNY").build();
        return OrderEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at.truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(merchant).setCustomerId(customer)
                .setPayload(OrderPaid.newBuilder().setOrderId(orderId).setTotal(price).setCouponCodes(List.of()).setCouponRedemptions(List.of())
                        .setLines(List.of(OrderLine.newBuilder().setSku("BEER-101").setCategory("drinks/beer").setQuantity(1).setUnitPrice(price).build()))
                        .build())
                .build();
    }
}

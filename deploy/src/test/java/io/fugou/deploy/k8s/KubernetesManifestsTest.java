package io.fugou.deploy.k8s;

import static io.fugou.deploy.k8s.KubernetesManifests.kind;
import static io.fugou.deploy.k8s.KubernetesManifests.list;
import static io.fugou.deploy.k8s.KubernetesManifests.map;
import static io.fugou.deploy.k8s.KubernetesManifests.name;
import static io.fugou.deploy.k8s.KubernetesManifests.string;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.Topic;
import io.fugou.events.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * deploy/k8s renders (kustomize) into objects valid against the Kubernetes and Strimzi schemas, and what it deploys is
 * wired as the services need: a KafkaTopic per contract topic as the contract wants it, each service's probes, config,
 * secret, instance id and database, analytics' state and standby copies, disruption budgets.
 */
@SuppressWarnings("unchecked")
class KubernetesManifestsTest {

    private static final List<String> SERVICES = List.of("member-service", "loyalty-service", "campaign-service", "analytics-service");

    private static List<Map<String, Object>> example;
    private static Map<String, String> config;

    @BeforeAll
    static void render() {
        example = KubernetesManifests.render("overlays/example");
        Map<String, Object> configMap = only("ConfigMap", name -> name.startsWith("fugou-config-"));
        config = new HashMap<>();
        map(configMap, "data").forEach((key, value) -> config.put(key, String.valueOf(value)));
    }

    @Test
    void theBaseAndTheExampleOverlayAreValidAgainstTheKubernetesAndStrimziSchemas() {
        String report = KubernetesManifests.run(KubernetesManifests.VALIDATE, "node", "validate.mjs");

        assertThat(report).contains("against their schemas, 0 problems").containsPattern("overlays/example: \\d+ objects rendered");
    }

    /** What the kubelet would refuse, or let run without a bound: a non-root pod whose user it cannot check, a container without limits. */
    @Test
    void everyPodRunsAsAKnownNonRootUserAndEveryContainerHasLimits() {
        List<Map<String, Object>> pods = example.stream().filter(object -> List.of("StatefulSet", "Deployment", "Job").contains(kind(object)))
                .map(object -> map(object, "spec", "template", "spec")).toList();
        assertThat(pods).hasSizeGreaterThanOrEqualTo(5);
        for (Map<String, Object> pod : pods) {
            List<Map<String, Object>> containers = new java.util.ArrayList<>(list(pod, "containers"));
            containers.addAll(list(pod, "initContainers"));
            for (Map<String, Object> container : containers) {
                String name = string(container, "name");
                assertThat(Objects.requireNonNullElse(string(container, "securityContext", "runAsNonRoot"), string(pod, "securityContext", "runAsNonRoot")))
                        .as(name + " runs as non-root").isEqualTo("true");
                // An image's USER given by name cannot be checked by the kubelet: the uid must be stated.
                assertThat(Objects.requireNonNullElse(string(container, "securityContext", "runAsUser"), string(pod, "securityContext", "runAsUser")))
                        .as(name + "'s uid").matches("[1-9][0-9]*");
                assertThat(map(container, "resources", "limits")).as(name + "'s limits").containsKey("memory");
                assertThat(map(container, "resources", "requests")).as(name + "'s requests").containsKeys("cpu", "memory");
            }
        }
    }

    @Test
    void everyServiceRegistersTheContractsBeforeItStarts() {
        for (String service : SERVICES) {
            Map<String, Object> pod = map(only("StatefulSet", name -> name.equals(service)), "spec", "template", "spec");
            Map<String, Object> register = list(pod, "initContainers").stream().filter(c -> "register-schemas".equals(c.get("name")))
                    .findFirst().orElseThrow(() -> new AssertionError(service + " has no register-schemas init container"));

            assertThat(string(register, "image")).startsWith("registry.example.com/fugou/deploy-tools:");
            assertThat(String.join(" ", (List<String>) register.get("command"))).contains("-Dloader.main=" + io.fugou.deploy.RegisterSchemas.class.getName());
            assertThat((List<String>) register.get("args")).containsExactly("$(SCHEMA_REGISTRY_URL)");
            String configMap = string(list(register, "envFrom").get(0), "configMapRef", "name");
            assertThat(map(only("ConfigMap", configMap::equals), "data")).containsEntry("SCHEMA_REGISTRY_URL", "http://schema-registry:8081");
        }
    }

    @Test
    void everyContractTopicAndItsDeadLetterTopicIsAKafkaTopicAsTheContractWantsIt() {
        Map<String, Map<String, Object>> topics = example.stream().filter(object -> kind(object).equals("KafkaTopic"))
                .collect(Collectors.toMap(KubernetesManifests::topicName, object -> object));
        String cluster = name(only("Kafka", name -> true));

        for (Topic<?> topic : Topics.ALL) {
            assertKafkaTopic(topics.get(topic.name()), topic.name(), topic.configs(), cluster);
            assertKafkaTopic(topics.get(topic.deadLetterTopic()), topic.deadLetterTopic(), topic.deadLetterConfigs(), cluster);
        }
    }

    private static void assertKafkaTopic(Map<String, Object> kafkaTopic, String topic, Map<String, String> contractConfigs, String cluster) {
        assertThat(kafkaTopic).as("a KafkaTopic for " + topic).isNotNull();
        assertThat(string(kafkaTopic, "metadata", "labels", "strimzi.io/cluster")).as(topic + "'s cluster").isEqualTo(cluster);
        assertThat(string(kafkaTopic, "spec", "partitions")).as(topic + ": the services' partition count")
                .isEqualTo(config.get("FUGOU_KAFKA_PARTITIONS"));
        assertThat(string(kafkaTopic, "spec", "replicas")).as(topic + ": the services' replication factor")
                .isEqualTo(config.get("FUGOU_KAFKA_REPLICATION_FACTOR"));
        Map<String, Object> configs = Objects.requireNonNullElse(map(kafkaTopic, "spec", "config"), Map.of());
        contractConfigs.forEach((key, value) -> assertThat(String.valueOf(configs.get(key))).as(topic + " " + key).isEqualTo(value));
    }

    @Test
    void theServicesFindKafkaAndTheRegistryWhereTheManifestsPutThem() {
        Map<String, Object> kafka = only("Kafka", name -> true);
        Map<String, Object> plain = list(kafka, "spec", "kafka", "listeners").stream()
                .filter(listener -> Boolean.FALSE.equals(listener.get("tls"))).findFirst().orElseThrow();
        // Strimzi's naming of the bootstrap Service.
        assertThat(config.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(name(kafka) + "-kafka-bootstrap:" + plain.get("port"));

        Map<String, Object> registry = only("Service", name -> name.equals("schema-registry"));
        assertThat(config.get("SCHEMA_REGISTRY_URL")).isEqualTo("http://schema-registry:" + list(registry, "spec", "ports").get(0).get("port"));
        assertThat(map(kafka, "spec", "kafka", "config")).containsEntry("auto.create.topics.enable", false);
    }

    @Test
    void everyServiceIsAStatefulSetWithProbesResourcesConfigAndAStableInstanceId() {
        for (String service : SERVICES) {
            Map<String, Object> statefulSet = only("StatefulSet", name -> name.equals(service));
            Map<String, Object> pod = map(statefulSet, "spec", "template");
            Map<String, Object> container = list(pod, "spec", "containers").get(0);
            Map<String, String> env = env(container);

            assertThat(string(container, "image")).as(service).startsWith("registry.example.com/fugou/" + service + ":");
            int port = list(container, "ports").stream().filter(p -> "http".equals(p.get("name"))).map(p -> (Integer) p.get("containerPort"))
                    .findFirst().orElseThrow();
            assertThat(env).as(service).containsEntry("PORT", Integer.toString(port));
            assertThat(string(container, "readinessProbe", "httpGet", "path")).as(service).isEqualTo("/actuator/health/readiness");
            assertThat(string(container, "livenessProbe", "httpGet", "path")).as(service).isEqualTo("/actuator/health/liveness");
            assertThat(string(container, "readinessProbe", "httpGet", "port")).as(service).isEqualTo("http");
            assertThat(map(container, "resources", "requests")).as(service).containsKeys("cpu", "memory");
            assertThat(map(container, "resources", "limits")).as(service).containsKeys("cpu", "memory");
            // The pod's stable name prefixes the transactional ids: a restarted pod fences its predecessor.
            assertThat(string(list(container, "env").stream().filter(e -> e.get("name").equals("FUGOU_INSTANCE_ID")).findFirst().orElseThrow(),
                    "valueFrom", "fieldRef", "fieldPath")).as(service).isEqualTo("metadata.name");
            String database = service.replace('-', '_');
            assertThat(env.get("DATABASE_R2DBC_URL")).as(service).startsWith("r2dbc:postgresql://$(DATABASE_HOST):$(DATABASE_PORT)/" + database);
            assertThat(env.get("DATABASE_JDBC_URL")).as(service).startsWith("jdbc:postgresql://$(DATABASE_HOST):$(DATABASE_PORT)/" + database);

            // Everything it reads from the environment is there: the generated ConfigMap and Secret, by their hashed names.
            Map<String, String> fromObjects = new HashMap<>(env);
            for (Map<String, Object> source : list(container, "envFrom")) {
                String kind = source.containsKey("configMapRef") ? "ConfigMap" : "Secret";
                String referenced = string(source, kind.equals("ConfigMap") ? "configMapRef" : "secretRef", "name");
                Map<String, Object> object = only(kind, referenced::equals);
                map(object, "data").keySet().forEach(key -> fromObjects.put(key, "(" + kind + ")"));
            }
            assertThat(fromObjects).as(service).containsKeys("KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL", "DATABASE_HOST", "DATABASE_PORT",
                    "DATABASE_USER", "DATABASE_PASSWORD", "FUGOU_JWT_ISSUER_URI", "FUGOU_KAFKA_PARTITIONS", "FUGOU_KAFKA_REPLICATION_FACTOR");
            assertThat(env).as(service + " has no security mode of its own: tokens are checked against the issuer")
                    .doesNotContainKey("FUGOU_SECURITY_MODE");
        }
    }

    @Test
    void eachServiceIsReachableAndKeepsAllButOnePodThroughADisruption() {
        for (String service : SERVICES) {
            Map<String, Object> pod = map(only("StatefulSet", name -> name.equals(service)), "spec", "template");
            Map<String, Object> podLabels = map(pod, "metadata", "labels");

            Map<String, Object> serviceObject = only("Service", name -> name.equals(service));
            assertThat(podLabels).as(service + "'s Service selects its pods").containsAllEntriesOf(map(serviceObject, "spec", "selector"));
            assertThat(list(serviceObject, "spec", "ports").get(0)).containsEntry("targetPort", "http");

            Map<String, Object> budget = only("PodDisruptionBudget", name -> name.equals(service));
            assertThat(podLabels).as(service + "'s budget selects its pods").containsAllEntriesOf(map(budget, "spec", "selector", "matchLabels"));
            assertThat(string(budget, "spec", "maxUnavailable")).isEqualTo("1");
            assertThat((Integer) map(only("StatefulSet", name -> name.equals(service)), "spec").get("replicas")).as(service).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void analyticsKeepsItsStateOnAVolumeWithAStandbyCopyAndAdvertisesItsPodAddress() {
        Map<String, Object> statefulSet = only("StatefulSet", name -> name.equals("analytics-service"));
        Map<String, Object> container = list(statefulSet, "spec", "template", "spec", "containers").get(0);
        Map<String, String> env = env(container);

        String claim = name(list(statefulSet, "spec", "volumeClaimTemplates").get(0));
        assertThat(list(container, "volumeMounts")).anySatisfy(mount -> {
            assertThat(mount).containsEntry("name", claim);
            assertThat(mount).containsEntry("mountPath", env.get("FUGOU_ANALYTICS_STATE_DIR"));
        });
        assertThat(Integer.parseInt(env.get("SPRING_KAFKA_STREAMS_PROPERTIES_NUM_STANDBY_REPLICAS"))).isPositive();
        assertThat(string(list(container, "env").stream().filter(e -> e.get("name").equals("FUGOU_ANALYTICS_ADVERTISED_HOST")).findFirst()
                .orElseThrow(), "valueFrom", "fieldRef", "fieldPath")).isEqualTo("status.podIP");
    }

    /**
     * What each service makes of the environment its pod gets, as kubelet builds it (envFrom first, then env in order, with
     * {@code $(VAR)} expanded): read through the service's application.yml and the platform defaults, as Spring Boot does.
     */
    @Test
    void eachServiceReadsFromItsPodsEnvironmentTheSettingsTheManifestsMean() throws IOException {
        for (String service : SERVICES) {
            Map<String, Object> pod = map(only("StatefulSet", name -> name.equals(service)), "spec", "template");
            StandardEnvironment spring = springEnvironment(service, podEnvironment(list(pod, "spec", "containers").get(0), service + "-0", "10.0.0.7"));
            Binder binder = Binder.get(spring);
            String database = service.replace('-', '_');

            assertThat(spring.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://fugou-db.example.internal:5432/" + database);
            assertThat(spring.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://fugou-db.example.internal:5432/" + database);
            assertThat(spring.getProperty("spring.r2dbc.username")).isEqualTo("fugou");
            assertThat(spring.getProperty("spring.r2dbc.password")).isEqualTo("change-me");
            assertThat(spring.getProperty("spring.kafka.bootstrap-servers")).isEqualTo("fugou-kafka-bootstrap:9092");
            assertThat(spring.getProperty("spring.kafka.properties.schema.registry.url")).isEqualTo("http://schema-registry:8081");
            assertThat(spring.getProperty("server.port")).isEqualTo("8080");
            assertThat(spring.getProperty("fugou.pipeline.transactional-id-prefix")).isEqualTo(service + "-" + service + "-0-");
            assertThat(spring.getProperty("fugou.kafka.topics.partitions")).isEqualTo("6");
            assertThat(spring.getProperty("fugou.kafka.topics.replication-factor")).isEqualTo("3");
            assertThat(spring.getProperty("fugou.security.mode")).as("no local tokens in production").isEmpty();
            assertThat(spring.getProperty("fugou.security.issuer-uri")).isEqualTo("https://login.example.com/realms/fugou");
            if (service.equals("analytics-service")) {
                assertThat(spring.getProperty("fugou.analytics.state-dir")).isEqualTo("/var/lib/fugou/analytics-state");
                assertThat(spring.getProperty("fugou.analytics.advertised-host")).isEqualTo("10.0.0.7");
                assertThat(binder.bind("spring.kafka.streams.properties", Bindable.mapOf(String.class, String.class)).get())
                        .containsEntry("num.standby.replicas", "1");
                assertThat(binder.bind("spring.kafka.streams.replication-factor", Integer.class).get()).isEqualTo(3);
                assertThat(binder.bind("fugou.analytics.rocksdb-memory", org.springframework.util.unit.DataSize.class).get())
                        .isEqualTo(org.springframework.util.unit.DataSize.ofGigabytes(1));
            }
        }
    }

    /** A container's environment as kubelet makes it, for a pod of this name and address. */
    private static Map<String, String> podEnvironment(Map<String, Object> container, String podName, String podIp) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (Map<String, Object> source : list(container, "envFrom")) {
            boolean configMap = source.containsKey("configMapRef");
            String referenced = string(source, configMap ? "configMapRef" : "secretRef", "name");
            map(only(configMap ? "ConfigMap" : "Secret", referenced::equals), "data").forEach((key, value) -> environment.put(key,
                    configMap ? String.valueOf(value) : new String(Base64.getDecoder().decode(String.valueOf(value)), StandardCharsets.UTF_8)));
        }
        for (Map<String, Object> variable : list(container, "env")) {
            String value = (String) variable.get("value");
            if (value == null) {
                String field = string(variable, "valueFrom", "fieldRef", "fieldPath");
                value = switch (field) {
                    case "metadata.name" -> podName;
                    case "status.podIP" -> podIp;
                    default -> throw new AssertionError("a field this test does not know: " + field);
                };
            }
            Matcher reference = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(value);
            environment.put((String) variable.get("name"), reference.replaceAll(found -> Matcher.quoteReplacement(
                    environment.getOrDefault(found.group(1), found.group()))));
        }
        return environment;
    }

    /** Spring's environment of a service run with these variables and nothing else from this machine. */
    private static StandardEnvironment springEnvironment(String service, Map<String, String> variables) throws IOException {
        StandardEnvironment spring = new StandardEnvironment();
        MutablePropertySources sources = spring.getPropertySources();
        sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        sources.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new HashMap<>(variables)));
        Path project = KubernetesManifests.K8S.getParent().getParent();
        for (PropertySource<?> yaml : new YamlPropertySourceLoader().load(service,
                new FileSystemResource(project.resolve(service + "/src/main/resources/application.yml")))) {
            sources.addLast(yaml);
        }
        sources.addLast(new ResourcePropertySource(new FileSystemResource(
                project.resolve("platform/src/main/resources/fugou-platform-defaults.properties"))));
        return spring;
    }

    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new HashMap<>();
        list(container, "env").forEach(variable -> env.put((String) variable.get("name"), (String) variable.get("value")));
        return env;
    }

    private static Map<String, Object> only(String kind, java.util.function.Predicate<String> name) {
        List<Map<String, Object>> found = example.stream().filter(object -> kind(object).equals(kind) && name.test(name(object))).toList();
        assertThat(found).as("one " + kind).hasSize(1);
        return found.get(0);
    }
}

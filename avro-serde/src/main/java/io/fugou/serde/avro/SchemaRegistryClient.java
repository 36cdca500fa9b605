package io.fugou.serde.avro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API (Confluent's own server, or any registry that
 * speaks it, such as Apicurio's {@code /apis/ccompat/v7}).
 *
 * <p>Written by hand because Confluent's {@code kafka-schema-registry-client} is published only to
 * Confluent's repository, which our builds cannot reach (shared/STACK.md). It covers just what the
 * serde needs: register, look up, fetch by id, latest version, compatibility check. Answers are
 * kept in bounded caches; 5xx answers and connection failures are retried with backoff, then the
 * next URL is tried.
 */
public class SchemaRegistryClient {

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    /** A schema as the registry holds it under a subject. */
    public record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }

    private record SubjectSchema(String subject, Schema schema) {
    }

    private final AvroSerdeConfig config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Cache<Integer, Schema> schemasById;
    private final Cache<SubjectSchema, Integer> idsBySubjectSchema;
    private final Cache<String, RegisteredSchema> latestBySubject;

    public SchemaRegistryClient(AvroSerdeConfig config) {
        this.config = config;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(config.connectTimeout());
        if (config.tls() != null) {
            http.sslContext(config.tls().context());
            if (config.tls().parameters() != null) {
                http.sslParameters(config.tls().parameters());
            }
        }
        this.http = http.build();
        this.schemasById = Caffeine.newBuilder().maximumSize(config.cacheCapacity()).build();
        this.idsBySubjectSchema = Caffeine.newBuilder().maximumSize(config.cacheCapacity()).build();
        this.latestBySubject = Caffeine.newBuilder().maximumSize(config.cacheCapacity())
                .expireAfterWrite(config.latestCacheTtl()).build();
    }

    /**
     * Registers the schema under the subject (idempotent) and returns its global id. With
     * {@code normalize.schemas} the registry is asked to normalize it first ({@code ?normalize=true}).
     */
    public int register(String subject, Schema schema) {
        return idsBySubjectSchema.get(new SubjectSchema(subject, schema), key -> {
            JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions" + normalize(), schemaBody(schema),
                    "registering a schema under subject '" + subject + "'");
            int id = answer.path("id").asInt();
            schemasById.put(id, schema);
            return id;
        });
    }

    /**
     * The id of a schema already registered under the subject; a 404 SchemaRegistryException if it is
     * not. With {@code normalize.schemas}, {@code ?normalize=true} as for {@link #register}.
     */
    public int lookUp(String subject, Schema schema) {
        return idsBySubjectSchema.get(new SubjectSchema(subject, schema), key -> {
            JsonNode answer = call("POST", "/subjects/" + encode(subject) + normalize(), schemaBody(schema),
                    "looking up a schema under subject '" + subject + "'");
            int id = answer.path("id").asInt();
            schemasById.put(id, schema);
            return id;
        });
    }

    /**
     * The schema with this global id (what a reader finds in the record's first five bytes).
     * Schema references (named types registered under subjects of their own, as Confluent's and
     * Apicurio's serializers can register them) are fetched and parsed first.
     */
    public Schema byId(int id) {
        return schemasById.get(id, key -> {
            JsonNode answer = call("GET", "/schemas/ids/" + id, null, "fetching schema id " + id);
            Schema.Parser parser = new Schema.Parser();
            parseReferences(answer.path("references"), parser, new java.util.HashSet<>(), "schema id " + id);
            return parse(parser, answer.path("schema").asText(), "schema id " + id);
        });
    }

    private void parseReferences(JsonNode references, Schema.Parser parser, java.util.Set<String> seen, String what) {
        for (JsonNode reference : references) {
            String subject = reference.path("subject").asText();
            String version = reference.path("version").asText("latest");
            if (!seen.add(subject + "/" + version)) {
                continue;
            }
            JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null,
                    "fetching reference " + subject + " v" + version + " of " + what);
            parseReferences(answer.path("references"), parser, seen, what);
            String name = reference.path("name").asText();
            if (!parser.getTypes().containsKey(name)) {
                parse(parser, answer.path("schema").asText(), "reference " + subject + " of " + what);
            }
        }
    }

    /** The latest version under the subject, cached for {@code latest.cache.ttl.sec}. */
    public RegisteredSchema latest(String subject) {
        return latestBySubject.get(subject, key -> {
            JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                    "fetching the latest schema of subject '" + subject + "'");
            Schema schema = parse(answer.path("schema").asText(), "subject '" + subject + "'");
            int id = answer.path("id").asInt();
            schemasById.put(id, schema);
            return new RegisteredSchema(subject, answer.path("version").asInt(), id, schema);
        });
    }

    /** Whether the registry would accept the schema as the subject's next version. */
    public boolean isCompatible(String subject, Schema schema) {
        try {
            return call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema),
                    "checking compatibility under subject '" + subject + "'").path("is_compatible").asBoolean();
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                return true; // nothing registered yet: anything is compatible
            }
            throw e;
        }
    }

    /** Confluent's client sends the flag on register and look-up; only {@code true} changes what a registry does. */
    private String normalize() {
        return config.normalizeSchemas() ? "?normalize=true" : "";
    }

    private String schemaBody(Schema schema) {
        try {
            return json.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Schema parse(String text, String what) {
        return parse(new Schema.Parser(), text, what);
    }

    private Schema parse(Schema.Parser parser, String text, String what) {
        try {
            return parser.parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException("the registry returned a schema that is not valid Avro for " + what, 200, 0, e);
        }
    }

    private JsonNode call(String method, String path, String body, String what) {
        SchemaRegistryException last = null;
        List<String> urls = config.registryUrls();
        for (String baseUrl : urls) {
            for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
                if (attempt > 0) {
                    backOff(attempt);
                }
                try {
                    return send(baseUrl, method, path, body, what);
                } catch (SchemaRegistryException e) {
                    if (!e.isRetryable()) {
                        throw e;
                    }
                    last = e;
                    log.debug("Schema registry call failed (attempt {} of {} at {}): {}", attempt + 1, config.maxRetries() + 1, baseUrl, e.getMessage());
                }
            }
        }
        throw last;
    }

    private JsonNode send(String baseUrl, String method, String path, String body, String what) {
        URI base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        AvroSerdeConfig.RegistryCredentials credentials = config.credentials();
        String userInfo = credentials.basicUserInfo() != null ? credentials.basicUserInfo()
                : credentials.bearerToken() != null ? null
                : base.getUserInfo();
        URI uri = URI.create(withoutUserInfo(base) + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        if (userInfo != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }
        if (credentials.bearerToken() != null) {
            request.header("Authorization", "Bearer " + credentials.bearerToken());
            if (credentials.bearerLogicalCluster() != null) {
                request.header("target-sr-cluster", credentials.bearerLogicalCluster());
            }
            if (credentials.bearerIdentityPoolId() != null) {
                request.header("Confluent-Identity-Pool-Id", credentials.bearerIdentityPoolId());
            }
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry at " + withoutUserInfo(base) + " unreachable while " + what + ": " + e, 0, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while " + what, 0, 0, e);
        }
        JsonNode answer = readJson(response.body());
        if (response.statusCode() / 100 != 2) {
            int errorCode = answer.path("error_code").asInt(response.statusCode());
            String message = answer.path("message").asText(response.body());
            throw new SchemaRegistryException("schema registry refused " + what + ": HTTP " + response.statusCode()
                    + " (error code " + errorCode + "): " + message, response.statusCode(), errorCode, null);
        }
        return answer;
    }

    private JsonNode readJson(String body) {
        try {
            return body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            return json.createObjectNode().put("message", body);
        }
    }

    private void backOff(int attempt) {
        long wait = Math.min(config.retryMaxWait().toMillis(), config.retryWait().toMillis() * (1L << Math.min(attempt - 1, 16)));
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String withoutUserInfo(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the client behaves when the registry misbehaves: answers it cannot get from a healthy
 * registry (a 503, then a success), scripted with the JDK's own HTTP server. Everything a real
 * registry can show is tested against one in ConfluentWireSerdeIT.
 */
class SchemaRegistryClientTest {

    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Visit\",\"fields\":[{\"name\":\"page\",\"type\":\"string\"}]}";

    private HttpServer server;
    private final Deque<int[]> statuses = new ArrayDeque<>();
    private final List<String> authorizations = new ArrayList<>();
    private final List<String> requests = new ArrayList<>();
    private final List<com.sun.net.httpserver.Headers> headers = new ArrayList<>();
    private int calls;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            calls++;
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            headers.add(exchange.getRequestHeaders());
            int status = statuses.isEmpty() ? 200 : statuses.pop()[0];
            byte[] body = (status == 200
                    ? "{\"schema\":" + quoted(SCHEMA) + "}"
                    : "{\"error_code\":" + (status == 404 ? 40403 : 50001) + ",\"message\":\"scripted " + status + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private SchemaRegistryClient client(Object... extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + server.getAddress().getPort());
        config.put(AvroSerdeConfig.RETRIES_WAIT_MS, 1);
        for (int i = 0; i < extra.length; i += 2) {
            config.put((String) extra[i], extra[i + 1]);
        }
        return new SchemaRegistryClient(AvroSerdeConfig.from(config));
    }

    @Test
    void shouldRetryA5xxAndSucceed() {
        statuses.add(new int[] {503});
        statuses.add(new int[] {500});

        Schema schema = client().byId(7);

        assertThat(schema.getName()).isEqualTo("Visit");
        assertThat(calls).isEqualTo(3);
    }

    @Test
    void shouldGiveUpAfterMaxRetriesWithTheRegistrysMessage() {
        for (int i = 0; i < 5; i++) {
            statuses.add(new int[] {503});
        }

        assertThatThrownBy(() -> client(AvroSerdeConfig.MAX_RETRIES, 2).byId(7))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("scripted 503");
        assertThat(calls).isEqualTo(3);
    }

    @Test
    void shouldNotRetryAClientError() {
        statuses.add(new int[] {404});

        assertThatThrownBy(() -> client().byId(7))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
        assertThat(calls).isEqualTo(1);
    }

    @Test
    void shouldAskTheRegistryOnlyOncePerId() {
        SchemaRegistryClient client = client();

        client.byId(7);
        client.byId(7);

        assertThat(calls).isEqualTo(1);
    }

    @Test
    void shouldSendBasicAuthFromUserInfoOrFromTheUrl() {
        client(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO", AvroSerdeConfig.BASIC_AUTH_USER_INFO, "shop:secret").byId(1);
        client(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://reader:pw@127.0.0.1:" + server.getAddress().getPort()).byId(2);

        assertThat(authorizations).containsExactly(
                "Basic " + Base64.getEncoder().encodeToString("shop:secret".getBytes(StandardCharsets.UTF_8)),
                "Basic " + Base64.getEncoder().encodeToString("reader:pw".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldSendAStaticBearerTokenWithConfluentCloudsHeaders() {
        client(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN", AvroSerdeConfig.BEARER_AUTH_TOKEN, "t0k3n").byId(1);
        client(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN", AvroSerdeConfig.BEARER_AUTH_TOKEN, "t0k3n",
                AvroSerdeConfig.BEARER_AUTH_LOGICAL_CLUSTER, "lsrc-123", AvroSerdeConfig.BEARER_AUTH_IDENTITY_POOL_ID, "pool-9").byId(2);

        assertThat(authorizations).containsExactly("Bearer t0k3n", "Bearer t0k3n");
        assertThat(headers.get(0).getFirst("target-sr-cluster")).isNull();
        assertThat(headers.get(1).getFirst("target-sr-cluster")).isEqualTo("lsrc-123");
        assertThat(headers.get(1).getFirst("Confluent-Identity-Pool-Id")).isEqualTo("pool-9");
    }

    @Test
    void shouldSendTheBearerTokenRatherThanTheUrlsUserInfo() {
        client(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://reader:pw@127.0.0.1:" + server.getAddress().getPort(),
                AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN", AvroSerdeConfig.BEARER_AUTH_TOKEN, "t0k3n").byId(1);

        assertThat(authorizations).containsExactly("Bearer t0k3n");
    }

    @Test
    void shouldAskTheRegistryToNormalizeOnRegisterAndLookUpWhenConfigured() {
        Schema schema = new Schema.Parser().parse(SCHEMA);
        client(AvroSerdeConfig.NORMALIZE_SCHEMAS, true).register("visits-value", schema);
        client(AvroSerdeConfig.NORMALIZE_SCHEMAS, true).lookUp("visits-value", schema);
        client().register("visits-value", schema);
        client().lookUp("visits-value", schema);

        assertThat(requests).containsExactly(
                "POST /subjects/visits-value/versions?normalize=true",
                "POST /subjects/visits-value?normalize=true",
                "POST /subjects/visits-value/versions",
                "POST /subjects/visits-value");
    }

    @Test
    void shouldFailOverToTheNextUrl() {
        SchemaRegistryClient client = client(AvroSerdeConfig.SCHEMA_REGISTRY_URL,
                "http://127.0.0.1:1,http://127.0.0.1:" + server.getAddress().getPort(), AvroSerdeConfig.MAX_RETRIES, 0);

        assertThat(client.byId(3).getName()).isEqualTo("Visit");
    }

    private static String quoted(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

package io.fugou.platform.kafka;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stands between the service and the real schema registry and can take it "down": while down,
 * every call answers 503, as a registry behind a load balancer does during an outage. (The real
 * registry keeps its schemas in memory, so stopping it would lose them.)
 */
public final class RegistryOutage implements AutoCloseable {

    private final HttpServer server;
    private final String target;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicBoolean down = new AtomicBoolean();

    public RegistryOutage(String targetUrl) throws IOException {
        this.target = targetUrl;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::forward);
        server.start();
    }

    /** The registry URL services should use, with the same path as the real one. */
    public String url() {
        URI real = URI.create(target);
        return "http://127.0.0.1:" + server.getAddress().getPort() + real.getPath();
    }

    public void down() {
        down.set(true);
    }

    public void up() {
        down.set(false);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (down.get()) {
                byte[] body = "{\"error_code\":50301,\"message\":\"registry unavailable (simulated outage)\"}".getBytes();
                exchange.sendResponseHeaders(503, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            URI real = URI.create(target);
            URI uri = URI.create(real.getScheme() + "://" + real.getAuthority() + exchange.getRequestURI());
            byte[] requestBody;
            try (InputStream in = exchange.getRequestBody()) {
                requestBody = in.readAllBytes();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(exchange.getRequestMethod(),
                    requestBody.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(requestBody));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            response.headers().firstValue("Content-Type").ifPresent(type -> exchange.getResponseHeaders().add("Content-Type", type));
            exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
            exchange.getResponseBody().write(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

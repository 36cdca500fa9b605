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
 * Stands between the service and the real schema registry and can take it away: stopped (nothing
 * listens, connections are refused) or down (every call answers 503, as a registry behind a load
 * balancer does during an outage). The real registry keeps its schemas in memory, so stopping it
 * would lose them; stopping this stand-in is the same outage to the service.
 */
public final class RegistryOutage implements AutoCloseable {

    private final int port;
    private HttpServer server;
    private final String target;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicBoolean down = new AtomicBoolean();

    public RegistryOutage(String targetUrl) throws IOException {
        this.target = targetUrl;
        this.server = listen(0);
        this.port = server.getAddress().getPort();
    }

    /** The registry URL services should use, with the same path as the real one. */
    public String url() {
        URI real = URI.create(target);
        return "http://127.0.0.1:" + port + real.getPath();
    }

    /** The registry answers 503, as one behind a load balancer does while its instances are down. */
    public void down() {
        down.set(true);
    }

    /** Nothing listens any more: connections are refused, as with a stopped registry. */
    public synchronized void stop() {
        server.stop(0);
    }

    public synchronized void up() {
        down.set(false);
        if (!isListening()) {
            try {
                server = listen(port);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot listen on " + port + " again", e);
            }
        }
    }

    private boolean isListening() {
        try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private HttpServer listen(int onPort) throws IOException {
        HttpServer listening = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
        listening.createContext("/", this::forward);
        listening.start();
        return listening;
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

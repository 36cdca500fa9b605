package io.fugou.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** An operator's client of kit-demo: corrections over HTTP, each with its entry id as Idempotency-Key. */
final class KitDemoClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String token;

    KitDemoClient(String merchant) {
        this.token = LocalPlatform.localToken(merchant, List.of("kit-demo:adjust"));
    }

    HttpResponse<String> adjust(String serviceUrl, String customerId, String entryId, long points) throws IOException, InterruptedException {
        String body = "{\"customerId\":\"" + customerId + "\",\"entryId\":\"" + entryId + "\",\"points\":" + points + "}";
        return http.send(HttpRequest.newBuilder(URI.create(serviceUrl + "/adjustments"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", entryId)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.fugou.analytics.streams;

import java.util.function.Function;
import io.fugou.analytics.repurchase.MerchantFiguresProcessor;
import io.fugou.analytics.repurchase.RepurchaseTopology;
import io.fugou.analytics.state.MerchantFigures;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reads a state store by key (interactive queries) wherever its partition is: here when this instance holds it, else the
 * same request is sent on to the instance that does, with the caller's token, which that instance checks again.
 */
@Component
public class StoreQueries {

    /** Marks a request sent on by another instance: it is answered here or refused, never sent on again (no loops mid-rebalance). */
    static final String ROUTED_HEADER = "X-Fugou-Routed";
    /** How long the instance holding a key has to answer. */
    static final java.time.Duration ROUTED_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final StreamsBuilderFactoryBean streams;
    private final AdvertisedAddress address;
    private final WebClient web;

    public StoreQueries(StreamsBuilderFactoryBean streams, AdvertisedAddress address, ObjectProvider<WebClient.Builder> web) {
        this.streams = streams;
        this.address = address;
        this.web = web.getIfAvailable(WebClient::builder).build();
    }

    /**
     * The answer made of the store's value for {@code key} (null when it has none), from this instance or the one holding it.
     * 503 while the store is being restored or moves between instances.
     */
    public <V> Mono<ResponseEntity<Object>> byKey(String store, String key, ServerHttpRequest request, Function<V, ?> answer) {
        return byKey(store, key, request, request.getURI().getRawPath(), answer);
    }

    /** The answer made of a merchant's figures (null when none were ever counted), from wherever they live. */
    public Mono<ResponseEntity<Object>> merchantFigures(String merchant, ServerHttpRequest request, Function<MerchantFigures, ?> answer) {
        return merchantFigures(merchant, request, request.getURI().getRawPath(), answer);
    }

    /** As {@link #merchantFigures(String, ServerHttpRequest, Function)}, asking another instance at {@code path}. */
    public Mono<ResponseEntity<Object>> merchantFigures(String merchant, ServerHttpRequest request, String path,
                                                       Function<MerchantFigures, ?> answer) {
        return query(RepurchaseTopology.MERCHANT_FIGURES_STORE, merchant, request, path,
                (ReadOnlyKeyValueStore<String, Long> store) -> MerchantFiguresProcessor.read(store, merchant), answer);
    }

    /** As {@link #byKey(String, String, ServerHttpRequest, Function)}, asking the other instance at {@code path} (with the request's query). */
    public <V> Mono<ResponseEntity<Object>> byKey(String store, String key, ServerHttpRequest request, String path, Function<V, ?> answer) {
        return query(store, key, request, path, (ReadOnlyKeyValueStore<String, V> local) -> local.get(key), answer);
    }

    /**
     * Reads a store's partition of {@code key} with {@code read} (a store is partitioned by the key its records were
     * partitioned by, whatever keys the store itself holds), here or at the instance holding it.
     */
    private <V, R> Mono<ResponseEntity<Object>> query(String store, String key, ServerHttpRequest request, String path,
                                                      Function<ReadOnlyKeyValueStore<String, V>, R> read, Function<R, ?> answer) {
        KafkaStreams running = streams.getKafkaStreams();
        if (running == null || !running.state().isRunningOrRebalancing()) {
            return Mono.error(unavailable());
        }
        HostInfo self = address.self();
        if (self == null) {
            return local(running, StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore()), read, answer);
        }
        KeyQueryMetadata where = running.queryMetadataForKey(store, key, new StringSerializer());
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return Mono.error(unavailable());
        }
        if (where.activeHost().equals(self)) {
            return local(running, StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore())
                    .withPartition(where.partition()), read, answer);
        }
        if (request.getHeaders().containsHeader(ROUTED_HEADER)) {
            return Mono.error(unavailable());
        }
        return web.get().uri("http://" + where.activeHost().host() + ":" + where.activeHost().port() + path
                        + (request.getURI().getRawQuery() == null ? "" : "?" + request.getURI().getRawQuery()))
                .headers(headers -> {
                    headers.addAll(HttpHeaders.AUTHORIZATION, request.getHeaders().getOrEmpty(HttpHeaders.AUTHORIZATION));
                    headers.add(ROUTED_HEADER, "true");
                })
                .exchangeToMono(response -> response.toEntity(byte[].class)
                        .map(entity -> ResponseEntity.status(entity.getStatusCode()).contentType(entity.getHeaders().getContentType())
                                .body((Object) entity.getBody())))
                .timeout(ROUTED_TIMEOUT)
                .onErrorMap(java.util.concurrent.TimeoutException.class, failure -> unavailable());
    }

    /** One instance alone (no advertised address) holds every partition: the store is read here, whichever partition has the key. */
    private static <V, R> Mono<ResponseEntity<Object>> local(KafkaStreams running, StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> query,
                                                             Function<ReadOnlyKeyValueStore<String, V>, R> read, Function<R, ?> answer) {
        return Mono.fromCallable(() -> read.apply(running.store(query)))
                .subscribeOn(Schedulers.boundedElastic()) // RocksDB reads block
                .onErrorMap(InvalidStateStoreException.class, failure -> unavailable())
                .map(value -> ResponseEntity.ok((Object) answer.apply(value)))
                .switchIfEmpty(Mono.fromSupplier(() -> ResponseEntity.ok((Object) answer.apply(null))));
    }

    private static ResponseStatusException unavailable() {
        return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "The figures are being restored or are moving between instances; retry shortly.");
    }
}

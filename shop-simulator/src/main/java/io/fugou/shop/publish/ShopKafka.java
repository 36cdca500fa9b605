package io.fugou.shop.publish;

import io.fugou.events.Topics;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponExpired;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.campaigns.CouponRedeemed;
import io.fugou.events.campaigns.CouponReturned;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroDeserializer;
import io.fugou.serde.avro.KafkaAvroSerializer;
import io.fugou.shop.world.HeldCoupon;
import io.fugou.shop.world.ShopEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The shop's Kafka side, as a shop backend has it: a producer of {@code commerce.*} events in the contracts' Avro
 * (the registry's latest schema, not registering its own), and a reader of {@code fugou.campaigns.v1} that keeps each
 * buyer's wallet of coupons up to date, to show at checkout.
 */
public final class ShopKafka implements AutoCloseable {

    /** What happened to a wallet, handed from the reading thread to the simulation's. */
    public sealed interface WalletChange {
        record Added(HeldCoupon coupon) implements WalletChange {
        }

        record Gone(String merchantId, String customerId, String code) implements WalletChange {
        }
    }

    private final KafkaProducer<String, Object> producer;
    private final KafkaConsumer<String, Object> wallets;
    private final Thread walletReader;
    private final Queue<WalletChange> walletChanges = new ConcurrentLinkedQueue<>();
    /** Coupons issued so far, by id: a coupon given back or expired names only its id. */
    private final Map<String, HeldCoupon> couponsById = new HashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean closing;

    public ShopKafka(String bootstrapServers, String schemaRegistryUrl, String consumerGroup) {
        Map<String, Object> serde = Map.of(
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl,
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false,
                AvroSerdeConfig.USE_LATEST_VERSION, true,
                AvroSerdeConfig.SPECIFIC_AVRO_READER, true,
                AvroSerdeConfig.TRUSTED_PACKAGES, Topics.EVENT_PACKAGES);
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(serde, false);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                // A broker gone for good stops the shop within a minute instead of two.
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000,
                ProducerConfig.CLIENT_ID_CONFIG, "shop-simulator"), new StringSerializer(), serializer);
        KafkaAvroDeserializer deserializer = new KafkaAvroDeserializer();
        deserializer.configure(serde, false);
        wallets = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, consumerGroup,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "shop-simulator-wallets"), new StringDeserializer(), deserializer);
        walletReader = new Thread(this::readWallets, "shop-wallets");
        walletReader.setDaemon(true);
        walletReader.start();
    }

    /** Sends without waiting; a send the broker refused stops the simulation at the next {@link #checkHealthy()}. */
    public void send(ShopEvent event) {
        producer.send(new ProducerRecord<>(event.topic(), event.key(), event.value()), (metadata, exception) -> {
            if (exception != null) {
                failure.compareAndSet(null, new IllegalStateException("the broker refused an event: " + exception.getMessage(), exception));
            } else {
                sent.incrementAndGet();
            }
        });
    }

    /** Waits until everything sent so far is on the broker. */
    public void flush() {
        producer.flush();
        checkHealthy();
    }

    public void checkHealthy() {
        Exception exception = failure.get();
        if (exception != null) {
            throw new IllegalStateException(exception.getMessage(), exception);
        }
    }

    /** Events the broker has acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Wallet changes read since the last call. */
    public List<WalletChange> walletChanges() {
        List<WalletChange> changes = new java.util.ArrayList<>();
        for (WalletChange change = walletChanges.poll(); change != null; change = walletChanges.poll()) {
            changes.add(change);
        }
        return changes;
    }

    private void readWallets() {
        try {
            wallets.subscribe(List.of(Topics.CAMPAIGNS.name()));
            while (!closing) {
                for (ConsumerRecord<String, Object> record : wallets.poll(Duration.ofMillis(500))) {
                    if (record.value() instanceof CampaignEvent event) {
                        walletChange(event);
                    }
                }
            }
        } catch (WakeupException stopping) {
            // closing
        } catch (RuntimeException e) {
            failure.compareAndSet(null, new IllegalStateException("cannot read the coupons of fugou.campaigns.v1: " + e.getMessage(), e));
        } finally {
            wallets.close(Duration.ofSeconds(5));
        }
    }

    private void walletChange(CampaignEvent event) {
        String merchant = event.getMerchantId();
        String customer = event.getCustomerId();
        switch (event.getPayload()) {
            case CouponIssued issued -> {
                HeldCoupon coupon = new HeldCoupon(merchant, customer, issued.getCouponCode(),
                        issued.getAmountOff() == null ? null : issued.getAmountOff().getAmountMinor(), issued.getPercentOff(),
                        issued.getMaxDiscount() == null ? null : issued.getMaxDiscount().getAmountMinor(),
                        issued.getMinimumSpend() == null ? 0 : issued.getMinimumSpend().getAmountMinor(), issued.getCategories(),
                        issued.getValidFrom(), issued.getValidUntil());
                couponsById.put(issued.getCouponId(), coupon);
                walletChanges.add(new WalletChange.Added(coupon));
            }
            case CouponReturned returned -> {
                HeldCoupon coupon = couponsById.get(returned.getCouponId());
                if (coupon != null) {
                    walletChanges.add(new WalletChange.Added(new HeldCoupon(merchant, customer, coupon.code(), coupon.amountOffMinor(),
                            coupon.percentOff(), coupon.maxDiscountMinor(), coupon.minimumSpendMinor(), coupon.categories(), event.getOccurredAt(),
                            returned.getValidUntil())));
                }
            }
            case CouponRedeemed redeemed -> walletChanges.add(new WalletChange.Gone(merchant, customer, redeemed.getCouponCode()));
            case CouponExpired expired -> {
                HeldCoupon coupon = couponsById.remove(expired.getCouponId());
                if (coupon != null) {
                    walletChanges.add(new WalletChange.Gone(merchant, customer, coupon.code()));
                }
            }
            default -> {
                // assignments and bonus points change no wallet
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        wallets.wakeup();
        try {
            walletReader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(30));
    }
}

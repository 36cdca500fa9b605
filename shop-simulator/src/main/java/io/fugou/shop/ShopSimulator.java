package io.fugou.shop;

import io.fugou.shop.catalogue.Shop;
import io.fugou.shop.catalogue.Shops;
import io.fugou.shop.marketer.MarketerSetup;
import io.fugou.shop.publish.ShopKafka;
import io.fugou.shop.world.Seasons;
import io.fugou.shop.world.ShopEvent;
import io.fugou.shop.world.ShopWorld;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The simulated shop: sets its merchants up as a marketer would, then publishes what their buyers do, from
 * {@code --history-days} ago up to now at {@code --speed} times real time, then in real time. Ctrl-C stops it; with a
 * {@code --state-file} the next start goes on from where it stopped.
 */
@Command(name = "shop-simulator", mixinStandardHelpOptions = true, description = "A simulated shop publishing to a fugou platform.")
public final class ShopSimulator implements Callable<Integer> {

    private static final ZoneId SHOP_ZONE = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter SIMULATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(SHOP_ZONE);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** In real time a shop's events are minutes apart: a line a minute is enough. */
    private static final Duration LIVE_PROGRESS_EVERY = Duration.ofMinutes(1);
    private static final Duration SAVE_EVERY = Duration.ofSeconds(2);

    @Option(names = "--bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}", description = "Kafka (default: ${DEFAULT-VALUE})")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", defaultValue = "${env:SCHEMA_REGISTRY_URL:-http://localhost:8081/apis/ccompat/v7}",
            description = "Confluent-compatible schema registry (default: ${DEFAULT-VALUE})")
    String schemaRegistryUrl;

    @Option(names = "--member-url", defaultValue = "${env:FUGOU_MEMBER_URL:-http://localhost:8101}", description = "member-service (default: ${DEFAULT-VALUE})")
    URI memberUrl;

    @Option(names = "--loyalty-url", defaultValue = "${env:FUGOU_LOYALTY_URL:-http://localhost:8102}", description = "loyalty-service (default: ${DEFAULT-VALUE})")
    URI loyaltyUrl;

    @Option(names = "--campaign-url", defaultValue = "${env:FUGOU_CAMPAIGN_URL:-http://localhost:8103}", description = "campaign-service (default: ${DEFAULT-VALUE})")
    URI campaignUrl;

    @Option(names = "--seed", defaultValue = "20261111", description = "The same seed gives the same shop (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--history-days", defaultValue = "365", description = "How long the shops have been open (default: ${DEFAULT-VALUE} days)")
    int historyDays;

    @Option(names = "--speed", defaultValue = "43200",
            description = "Simulated seconds per real second until the present is reached (default: ${DEFAULT-VALUE}, 12 hours a second)")
    double speed;

    @Option(names = "--max-rate", defaultValue = "2000", description = "At most this many events a second (default: ${DEFAULT-VALUE})")
    int maxRate;

    @Option(names = "--state-file", description = "Where to keep how far the shop got, to go on from there next time")
    Path stateFile;

    @Option(names = "--until-present", description = "Stop once the present is reached instead of going on in real time")
    boolean untilPresent;

    @Option(names = "--skip-setup", description = "Do not set the merchants up (they are already)")
    boolean skipSetup;

    private final Clock clock = Clock.systemUTC();
    private volatile boolean stopping;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ShopSimulator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (speed <= 0 || maxRate < 1 || historyDays < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--speed must be above 0, --max-rate at least 1, --history-days not negative");
        }
        List<Shop> shops = Shops.all();
        if (!skipSetup) {
            MarketerSetup marketer = new MarketerSetup(new MarketerSetup.Endpoints(memberUrl, loyaltyUrl, campaignUrl));
            for (Shop shop : shops) {
                List<String> done = marketer.setUp(shop);
                say(shop.merchantId() + ": " + (done.isEmpty() ? "set up already" : "set up " + String.join(", ", done)));
            }
        }
        Instant now = clock.instant();
        SimulationState state = stateFile == null ? null : SimulationState.read(stateFile);
        if (state != null && state.seed() != seed) {
            throw new CommandLine.ParameterException(new CommandLine(this), "the state in " + stateFile + " is of seed " + state.seed()
                    + ", not " + seed + ": start fresh (delete it) or use that seed");
        }
        SimulationState started = state == null ? new SimulationState(seed, now.minus(Duration.ofDays(historyDays)), 1, null)
                : new SimulationState(seed, state.opened(), state.run() + 1, state.reached());
        ShopWorld world = new ShopWorld(shops, seed, started.opened(), started.run());
        if (started.reached() != null) {
            long skipped = world.skipUntil(started.reached());
            say("going on from " + SIMULATED.format(started.reached()) + " (" + skipped + " events of earlier runs not sent again)");
        }
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            try {
                // Long enough to flush what is sent and save how far it got; not forever if the broker is gone.
                finished.await(25, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stop-shop"));
        try (ShopKafka kafka = new ShopKafka(bootstrapServers, schemaRegistryUrl, "shop-simulator")) {
            run(world, kafka, started);
        } finally {
            finished.countDown();
        }
        return 0;
    }

    private void run(ShopWorld world, ShopKafka kafka, SimulationState started) {
        Instant from = started.reached() != null ? started.reached() : started.opened();
        Instant wallStart = clock.instant();
        say(String.format("shops open since %s; simulating %s of shop time a second from %s up to the present, then in real time",
                SIMULATED.format(started.opened()), Duration.ofSeconds((long) speed).toString().substring(2).toLowerCase(), SIMULATED.format(from)));
        double allowance = 0;
        Instant lastTick = wallStart;
        Instant lastProgress = wallStart;
        Instant lastSave = wallStart;
        long sentAtLastProgress = 0;
        boolean live = false;
        while (!stopping) {
            Instant wall = clock.instant();
            Instant simulatedNow = from.plusMillis((long) (Duration.between(wallStart, wall).toMillis() * speed));
            boolean atPresent = !simulatedNow.isBefore(wall);
            if (atPresent) {
                simulatedNow = wall;
            }
            kafka.walletChanges().forEach(change -> {
                switch (change) {
                    case ShopKafka.WalletChange.Added added -> world.couponIssued(added.coupon());
                    case ShopKafka.WalletChange.Gone gone -> world.couponGone(gone.merchantId(), gone.customerId(), gone.code());
                }
            });
            allowance = Math.max(0, Math.min(maxRate, allowance + maxRate * Duration.between(lastTick, wall).toNanos() / 1e9));
            lastTick = wall;
            int sent = 0;
            boolean allSent = false; // everything due until simulatedNow, not held back by --max-rate
            Instant lastSent = null;
            // Past the allowance, what happens at the same instant as the last event sent still goes: the saved state
            // says everything up to an instant is sent.
            while (!allSent && (allowance >= 1 || (lastSent != null && lastSent.equals(world.nextDueAt())))) {
                ShopEvent event = world.next(simulatedNow);
                if (event == null) {
                    allSent = true;
                } else {
                    kafka.send(event);
                    lastSent = event.at();
                    allowance--;
                    sent++;
                }
            }
            kafka.checkHealthy();
            if (atPresent && allSent && !live) {
                live = true;
                say("reached the present: the shops now run in real time" + (untilPresent ? "; stopping as asked" : ""));
                if (untilPresent) {
                    break;
                }
            }
            if (Duration.between(lastSave, wall).compareTo(SAVE_EVERY) >= 0) {
                save(kafka, started, world);
                lastSave = wall;
            }
            if (Duration.between(lastProgress, wall).compareTo(live ? LIVE_PROGRESS_EVERY : PROGRESS_EVERY) >= 0) {
                long total = kafka.sent();
                say(progress(world, total, (total - sentAtLastProgress) * 1000 / Math.max(1, Duration.between(lastProgress, wall).toMillis())));
                sentAtLastProgress = total;
                lastProgress = wall;
            }
            if (sent == 0) {
                sleep(live ? 200 : 20);
            }
        }
        save(kafka, started, world);
        say("stopped at " + SIMULATED.format(world.simulatedTime()) + " of shop time, " + kafka.sent() + " events sent");
    }

    private void save(ShopKafka kafka, SimulationState started, ShopWorld world) {
        kafka.flush(); // what the state says was sent is on the broker
        if (stateFile != null) {
            new SimulationState(started.seed(), started.opened(), started.run(), world.simulatedTime()).write(stateFile);
        }
    }

    private static String progress(ShopWorld world, long sent, long perSecond) {
        LocalDate day = world.simulatedTime().atZone(SHOP_ZONE).toLocalDate();
        String festival = Seasons.festivalName(day);
        Map<ShopEvent.Kind, Long> counts = world.counts();
        String kinds = counts.entrySet().stream().map(entry -> String.format("%,d %s", entry.getValue(), label(entry.getKey())))
                .collect(Collectors.joining(", "));
        return String.format("%s%s · %,d buyers · %,d events sent (%s) · %,d events/s", SIMULATED.format(world.simulatedTime()),
                festival == null ? "" : " (" + festival + ")", world.buyers(), sent, kinds, perSecond);
    }

    private static String label(ShopEvent.Kind kind) {
        return switch (kind) {
            case REGISTERED -> "registered";
            case JOINED -> "joined later";
            case PAID -> "orders";
            case REFUNDED -> "refunds";
            case CANCELLED -> "cancellations";
            case VIEWED -> "product views";
            case CART_ABANDONED -> "carts left";
        };
    }

    private static void say(String line) {
        System.out.println("[shop] " + line);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

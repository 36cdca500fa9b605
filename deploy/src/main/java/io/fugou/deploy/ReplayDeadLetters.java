package io.fugou.deploy;

import io.fugou.platform.kafka.DeadLetterReplay;
import java.util.Map;

/**
 * For operators, after the cause of dead letters was fixed: puts a topic's dead letters back on the
 * topic, each exactly once. Run by {@code deploy/replay-dead-letters <topic>}; the broker from
 * KAFKA_BOOTSTRAP_SERVERS (default localhost:9092).
 */
public final class ReplayDeadLetters {

    private ReplayDeadLetters() {
    }

    public static void main(String[] args) {
        if (args.length != 1 || args[0].endsWith(".DLT")) {
            System.err.println("usage: deploy/replay-dead-letters <topic>   e.g. commerce.orders.v1 (its dead letters are read from <topic>.DLT)");
            System.exit(2);
        }
        String bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        DeadLetterReplay.replay(Map.of("bootstrap.servers", bootstrap), args[0], line -> System.out.println("[fugou] " + line));
    }
}

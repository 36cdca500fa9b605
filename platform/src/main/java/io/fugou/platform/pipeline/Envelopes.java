package io.fugou.platform.pipeline;

import io.fugou.events.MemberKey;
import io.fugou.events.Topic;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one way to identify events and read envelopes. Every envelope has {@code eventId},
 * {@code occurredAt}, {@code merchantId}, {@code customerId} and a {@code payload} union.
 *
 * <p>An event's id is derived from what it is about ({@link #eventId}), never drawn at random: an
 * event rebuilt from its stored row after a crash must be the same event, with the same id, so a
 * consumer that de-duplicates by id sees one event, and the topic read {@code read_committed} holds it once.
 */
public final class Envelopes {

    private Envelopes() {
    }

    /**
     * An MD5 per thread: {@link UUID#nameUUIDFromBytes} looks the algorithm's provider up on every call, which took 2% of
     * loyalty-service's processor under load (JFR, {@code deploy/bench loyalty}), once per event it publishes.
     */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new InternalError("MD5 not supported", e);
        }
    });

    /**
     * The id of the event a topic carries about one fact, the same every time it is built: the name-based (version 3)
     * UUID of {@code topic/fact}, as {@link UUID#nameUUIDFromBytes} makes it, with the digest reused.
     */
    public static String eventId(Topic<?> topic, String fact) {
        byte[] md5 = MD5.get().digest((topic.name() + "/" + fact).getBytes(StandardCharsets.UTF_8));
        md5[6] = (byte) ((md5[6] & 0x0f) | 0x30); // version 3
        md5[8] = (byte) ((md5[8] & 0x3f) | 0x80); // IETF variant
        long most = 0;
        long least = 0;
        for (int i = 0; i < 8; i++) {
            most = (most << 8) | (md5[i] & 0xff);
            least = (least << 8) | (md5[i + 8] & 0xff);
        }
        return new UUID(most, least).toString();
    }

    public static MemberKey memberKey(SpecificRecord envelope) {
        return new MemberKey(text(envelope, "merchantId"), text(envelope, "customerId"));
    }

    static String text(SpecificRecord envelope, String field) {
        Object value = envelope.get(field(envelope, field).pos());
        return value == null ? null : value.toString();
    }

    static Instant instant(SpecificRecord envelope, String field) {
        return (Instant) envelope.get(field(envelope, field).pos());
    }

    /** The envelope's per-member sequence number, or 0 when its contract has none. */
    static long sequence(SpecificRecord envelope) {
        if (envelope == null) {
            return 0L; // a tombstone
        }
        Schema.Field field = envelope.getSchema().getField("sequence");
        return field != null && envelope.get(field.pos()) instanceof Long sequence ? sequence : 0L;
    }

    static Object payload(SpecificRecord envelope) {
        return envelope.get(field(envelope, "payload").pos());
    }

    private static Schema.Field field(SpecificRecord envelope, String name) {
        Schema.Field field = envelope.getSchema().getField(name);
        if (field == null) {
            throw new IllegalArgumentException(envelope.getSchema().getFullName() + " is not an envelope: it has no " + name);
        }
        return field;
    }
}

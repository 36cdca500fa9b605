package io.fugou.platform.kafka;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Keeps the bytes a record arrived with beside its deserialized value (in a header, by reference,
 * no copy), so a record that later fails is dead-lettered exactly as the producer wrote it: never
 * re-serialized, which would need the subject registered for us, drop fields our reader lacks, or
 * change a key that was not valid UTF-8.
 *
 * <p>Configured as {@code ErrorHandlingDeserializer}'s delegate, with its own delegate under
 * {@code fugou.deserializer.key.delegate.class} / {@code fugou.deserializer.value.delegate.class}.
 */
public class OriginalBytesDeserializer implements Deserializer<Object> {

    public static final String ORIGINAL_KEY_HEADER = "fugou_original-key";
    public static final String ORIGINAL_VALUE_HEADER = "fugou_original-value";
    public static final String KEY_DELEGATE = "fugou.deserializer.key.delegate.class";
    public static final String VALUE_DELEGATE = "fugou.deserializer.value.delegate.class";

    private Deserializer<?> delegate;
    private String header;

    public OriginalBytesDeserializer() {
    }

    public OriginalBytesDeserializer(Deserializer<?> delegate) {
        this.delegate = delegate;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        header = isKey ? ORIGINAL_KEY_HEADER : ORIGINAL_VALUE_HEADER;
        if (delegate == null) {
            String property = isKey ? KEY_DELEGATE : VALUE_DELEGATE;
            Object configured = configs.get(property);
            if (configured == null) {
                throw new ConfigException(property, null, "OriginalBytesDeserializer needs the deserializer it wraps");
            }
            try {
                delegate = configured instanceof Class<?> type
                        ? (Deserializer<?>) type.getDeclaredConstructor().newInstance()
                        : Utils.newInstance(configured.toString(), Deserializer.class);
            } catch (ReflectiveOperationException e) {
                throw new ConfigException(property, configured, "cannot create it: " + e);
            }
        }
        delegate.configure(configs, isKey);
    }

    @Override
    public Object deserialize(String topic, byte[] data) {
        return delegate.deserialize(topic, data);
    }

    @Override
    public Object deserialize(String topic, Headers headers, byte[] data) {
        if (data != null) {
            headers.remove(header);
            headers.add(header, data);
        }
        return delegate.deserialize(topic, headers, data);
    }

    @Override
    public void close() {
        if (delegate != null) {
            delegate.close();
        }
    }
}

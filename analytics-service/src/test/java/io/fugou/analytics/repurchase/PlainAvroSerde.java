package io.fugou.analytics.repurchase;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro binary without the registry, for TopologyTestDriver tests only: the topology's logic is what they prove; the
 * registry's wire format is proven by avro-serde's own tests and by the integration tests on the real registry.
 */
final class PlainAvroSerde<T extends SpecificRecord> implements Serde<T> {

    static {
        // Avro 1.12 instantiates only trusted classes (shared/STACK.md, trap 1); the service's serdes trust these by configuration.
        org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate previous = org.apache.avro.util.ClassSecurityValidator.getGlobal();
        org.apache.avro.util.ClassSecurityValidator.setGlobal(type -> previous.isTrusted(type) || type.getName().startsWith("io.fugou."));
    }

    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> reader;

    PlainAvroSerde(Class<T> type) {
        writer = new SpecificDatumWriter<>(type);
        reader = new SpecificDatumReader<>(type);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
            try {
                writer.write(value, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}

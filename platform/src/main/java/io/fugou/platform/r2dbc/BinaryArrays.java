package io.fugou.platform.r2dbc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.client.EncodedParameter;
import io.r2dbc.postgresql.codec.Codec;
import io.r2dbc.postgresql.codec.CodecMetadata;
import io.r2dbc.postgresql.codec.CodecRegistry;
import io.r2dbc.postgresql.codec.PostgresTypeIdentifier;
import io.r2dbc.postgresql.codec.PostgresqlObjectId;
import io.r2dbc.postgresql.extension.CodecRegistrar;
import io.r2dbc.postgresql.message.Format;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Binds {@code String[]}, {@code Long[]} and {@code Integer[]} parameters in PostgreSQL's binary array format. The services
 * write whole batches through {@code unnest(cast(:column as text[]), ...)}, one array per column; r2dbc-postgresql (1.1)
 * encodes every array as text, quoting and escaping each element character by character, and the server then parses that
 * text back: a profile of loyalty-service under load showed that encoding alone at 16% of its CPU. Written by hand because
 * the driver has no binary array encoder; the format is array_send's (src/backend/utils/adt/arrayfuncs.c): dimensions,
 * null flag, element type, then each element as its length and its binary value. The types stay the driver's own
 * (text[], int8[], int4[]), so every statement means what it meant. Decoding is left to the driver.
 * Found by r2dbc-postgresql through META-INF/services (its extensions are detected by default).
 */
public final class BinaryArrays implements CodecRegistrar {

    @Override
    public Publisher<Void> register(PostgresqlConnection connection, ByteBufAllocator allocator, CodecRegistry registry) {
        // One per Java type: the driver looks an encoder up by the value's class, among those that declare it (CodecMetadata).
        for (Class<?> type : List.of(String[].class, Long[].class, Integer[].class)) {
            registry.addFirst(new Encoder(allocator, type));
        }
        return Mono.empty();
    }

    /** An encoder of one array type; the codecs after it in the registry decode, encode nulls and other types. */
    static final class Encoder implements Codec<Object>, CodecMetadata {

        private final ByteBufAllocator allocator;
        private final Class<?> type;

        Encoder(ByteBufAllocator allocator, Class<?> type) {
            this.allocator = allocator;
            this.type = type;
        }

        @Override
        public Class<?> type() {
            return type;
        }

        /** None: declared types would make it the decoder of those types too. */
        @Override
        public Iterable<PostgresTypeIdentifier> getDataTypes() {
            return List.of();
        }

        @Override
        public boolean canEncode(Object value) {
            return value.getClass() == type;
        }

        @Override
        public EncodedParameter encode(Object value) {
            if (value instanceof String[] strings) {
                return binary(PostgresqlObjectId.TEXT_ARRAY, Mono.fromSupplier(() -> texts(strings)));
            }
            if (value instanceof Long[] longs) {
                return binary(PostgresqlObjectId.INT8_ARRAY, Mono.fromSupplier(() -> numbers(longs, PostgresqlObjectId.INT8, Long.BYTES)));
            }
            if (value instanceof Integer[] integers) {
                return binary(PostgresqlObjectId.INT4_ARRAY, Mono.fromSupplier(() -> numbers(integers, PostgresqlObjectId.INT4, Integer.BYTES)));
            }
            throw new IllegalArgumentException("not an array this codec encodes: " + value.getClass());
        }

        @Override
        public EncodedParameter encode(Object value, int dataType) {
            int type = value instanceof String[] ? PostgresqlObjectId.TEXT_ARRAY.getObjectId()
                    : value instanceof Long[] ? PostgresqlObjectId.INT8_ARRAY.getObjectId() : PostgresqlObjectId.INT4_ARRAY.getObjectId();
            if (type != dataType) {
                throw new IllegalArgumentException("a " + value.getClass().getSimpleName() + " binds as type " + type + ", not " + dataType);
            }
            return encode(value);
        }

        private static EncodedParameter binary(PostgresqlObjectId type, Mono<ByteBuf> value) {
            return new EncodedParameter(Format.FORMAT_BINARY, type.getObjectId(), value);
        }

        private ByteBuf texts(String[] elements) {
            int size = 20;
            for (String element : elements) {
                size += 4 + (element == null ? 0 : element.length() * 3); // at most three UTF-8 bytes per UTF-16 unit
            }
            ByteBuf buffer = header(elements, PostgresqlObjectId.TEXT, size);
            for (String element : elements) {
                if (element == null) {
                    buffer.writeInt(-1);
                } else {
                    int lengthAt = buffer.writerIndex();
                    buffer.writeInt(0);
                    int length = buffer.writeCharSequence(element, StandardCharsets.UTF_8);
                    buffer.setInt(lengthAt, length);
                }
            }
            return buffer;
        }

        private ByteBuf numbers(Number[] elements, PostgresqlObjectId elementType, int width) {
            ByteBuf buffer = header(elements, elementType, 20 + elements.length * (4 + width));
            for (Number element : elements) {
                if (element == null) {
                    buffer.writeInt(-1);
                } else if (width == Long.BYTES) {
                    buffer.writeInt(width).writeLong(element.longValue());
                } else {
                    buffer.writeInt(width).writeInt(element.intValue());
                }
            }
            return buffer;
        }

        /** Dimensions (one, or none when empty), whether any element is null, the element type, then length and lower bound. */
        private ByteBuf header(Object[] elements, PostgresqlObjectId elementType, int size) {
            boolean anyNull = false;
            for (Object element : elements) {
                anyNull |= element == null;
            }
            ByteBuf buffer = allocator.buffer(size);
            buffer.writeInt(elements.length == 0 ? 0 : 1).writeInt(anyNull ? 1 : 0).writeInt(elementType.getObjectId());
            if (elements.length > 0) {
                buffer.writeInt(elements.length).writeInt(1);
            }
            return buffer;
        }

        @Override
        public boolean canDecode(int dataType, Format format, Class<?> type) {
            return false;
        }

        @Override
        public Object decode(ByteBuf buffer, int dataType, Format format, Class<?> type) {
            throw new UnsupportedOperationException("decoding is the driver's");
        }

        @Override
        public boolean canEncodeNull(Class<?> type) {
            return false;
        }

        @Override
        public EncodedParameter encodeNull() {
            throw new UnsupportedOperationException("nulls are the driver's");
        }
    }
}

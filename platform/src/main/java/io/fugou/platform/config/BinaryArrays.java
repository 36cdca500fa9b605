package io.fugou.platform.config;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.client.EncodedParameter;
import io.r2dbc.postgresql.codec.Codec;
import io.r2dbc.postgresql.codec.CodecMetadata;
import io.r2dbc.postgresql.codec.CodecRegistry;
import io.r2dbc.postgresql.codec.PostgresTypeIdentifier;
import io.r2dbc.postgresql.extension.CodecRegistrar;
import io.r2dbc.postgresql.message.Format;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Sends one-dimensional arrays of text, bigint, integer, boolean, date and timestamptz (from {@code OffsetDateTime} or
 * {@code Instant}) to PostgreSQL in its binary array
 * format (what {@code array_recv} reads). r2dbc-postgresql 1.1 sends every array as text ({@code {"a","b"}}): it builds and
 * escapes a string per element and the server parses each one back. The platform's batch statements bind a dozen arrays of
 * up to 2,000 elements each ({@code unnest}), where that text was 13% of loyalty-service's CPU under load (JFR, {@code
 * deploy/bench loyalty}); the library has no binary array encoder to turn on instead, hence this one. Registered as an
 * r2dbc-postgresql extension (META-INF/services), ahead of the built-in codecs; it never decodes.
 */
public final class BinaryArrays implements CodecRegistrar {

    @Override
    public Publisher<Void> register(PostgresqlConnection connection, ByteBufAllocator allocator, CodecRegistry registry) {
        // One codec per array class: the driver caches encoders by the class a codec declares (CodecMetadata).
        for (Element element : Element.values()) {
            registry.addFirst(new BinaryArrayCodec(element));
        }
        return Mono.empty();
    }

    /** An array's element type: its Java class, PostgreSQL type ids (the array's and the element's) and binary form. */
    enum Element {
        TEXT(String[].class, 1009, 25),
        INT8(Long[].class, 1016, 20),
        INT4(Integer[].class, 1007, 23),
        BOOL(Boolean[].class, 1000, 16),
        DATE(LocalDate[].class, 1182, 1082),
        TIMESTAMPTZ(OffsetDateTime[].class, 1185, 1184),
        /** Instants as they are: no zone to convert to and back (an {@code OffsetDateTime} per element, under load). */
        INSTANT(Instant[].class, 1185, 1184);

        /** PostgreSQL counts dates and times from 2000-01-01 (UTC for timestamptz), in days and microseconds. */
        private static final LocalDate POSTGRES_EPOCH_DATE = LocalDate.of(2000, 1, 1);
        private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

        final Class<?> arrayClass;
        final int arrayType;
        final int elementType;

        Element(Class<?> arrayClass, int arrayType, int elementType) {
            this.arrayClass = arrayClass;
            this.arrayType = arrayType;
            this.elementType = elementType;
        }

        /** The bytes of a fixed-width value; -1 for text, whose width is its UTF-8 bytes'. */
        int width() {
            return switch (this) {
                case TEXT -> -1;
                case INT8, TIMESTAMPTZ, INSTANT -> 8;
                case INT4, DATE -> 4;
                case BOOL -> 1;
            };
        }

        /** Writes a fixed-width value. */
        void write(ByteBuffer buffer, Object value) {
            switch (this) {
                case TEXT -> throw new IllegalStateException("text is written as its bytes");
                case INT8 -> buffer.putLong((Long) value);
                case INT4 -> buffer.putInt((Integer) value);
                case BOOL -> buffer.put((byte) ((Boolean) value ? 1 : 0));
                case DATE -> buffer.putInt(Math.toIntExact(ChronoUnit.DAYS.between(POSTGRES_EPOCH_DATE, (LocalDate) value)));
                case TIMESTAMPTZ -> buffer.putLong(micros(((OffsetDateTime) value).toInstant()));
                case INSTANT -> buffer.putLong(micros((Instant) value));
            }
        }

        /** Microseconds since PostgreSQL's epoch, rounded half to even as the server rounds a text time's fraction. */
        static long micros(Instant instant) {
            long seconds = instant.getEpochSecond() - POSTGRES_EPOCH.getEpochSecond();
            long micros = instant.getNano() / 1_000;
            int rest = instant.getNano() % 1_000;
            if (rest > 500 || (rest == 500 && micros % 2 == 1)) {
                micros++;
            }
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), micros);
        }
    }

    static final class BinaryArrayCodec implements Codec<Object>, CodecMetadata {

        private final Element element;

        BinaryArrayCodec(Element element) {
            this.element = element;
        }

        @Override
        public Class<?> type() {
            return element.arrayClass;
        }

        /** None: the driver would make this codec the decoder of the types named here. */
        @Override
        public Iterable<? extends PostgresTypeIdentifier> getDataTypes() {
            return List.of();
        }

        @Override
        public boolean canEncode(Object value) {
            return value != null && value.getClass() == element.arrayClass;
        }

        @Override
        public EncodedParameter encode(Object value) {
            Object[] array = (Object[]) value;
            return new EncodedParameter(Format.FORMAT_BINARY, element.arrayType, Mono.fromSupplier(() -> write(array)));
        }

        /** The array's own type id is what its elements say it is, whatever type the caller names. */
        @Override
        public EncodedParameter encode(Object value, int dataType) {
            return encode(value);
        }

        /** Nulls of arrays are left to the built-in codecs, as is all decoding. */
        @Override
        public boolean canEncodeNull(Class<?> type) {
            return false;
        }

        @Override
        public EncodedParameter encodeNull() {
            throw new UnsupportedOperationException("null arrays are encoded by r2dbc-postgresql's own codecs");
        }

        @Override
        public boolean canDecode(int dataType, Format format, Class<?> type) {
            return false;
        }

        @Override
        public Object decode(ByteBuf buffer, int dataType, Format format, Class<?> type) {
            throw new UnsupportedOperationException("arrays are decoded by r2dbc-postgresql's own codecs");
        }

        /**
         * PostgreSQL's binary array: dimensions, a has-nulls flag, the element type, each dimension's length and lower bound,
         * then each element's length (-1 for null) and bytes. Written into one heap array sized exactly beforehand: text is
         * encoded with {@link String#getBytes} (a copy for most strings) rather than character by character into the buffer.
         */
        private ByteBuf write(Object[] array) {
            if (array.length == 0) {
                return Unpooled.wrappedBuffer(ByteBuffer.allocate(12).putInt(0).putInt(0).putInt(element.elementType).array());
            }
            int width = element.width();
            byte[][] texts = width < 0 ? new byte[array.length][] : null;
            boolean hasNulls = false;
            int size = 20;
            for (int i = 0; i < array.length; i++) {
                Object value = array[i];
                if (value == null) {
                    hasNulls = true;
                    size += 4;
                } else if (texts != null) {
                    texts[i] = ((String) value).getBytes(StandardCharsets.UTF_8); // the database's encoding
                    size += 4 + texts[i].length;
                } else {
                    size += 4 + width;
                }
            }
            ByteBuffer buffer = ByteBuffer.allocate(size);
            buffer.putInt(1).putInt(hasNulls ? 1 : 0).putInt(element.elementType).putInt(array.length).putInt(1);
            for (int i = 0; i < array.length; i++) {
                Object value = array[i];
                if (value == null) {
                    buffer.putInt(-1);
                } else if (texts != null) {
                    buffer.putInt(texts[i].length).put(texts[i]);
                } else {
                    buffer.putInt(width);
                    element.write(buffer, value);
                }
            }
            return Unpooled.wrappedBuffer(buffer.array());
        }
    }
}

package io.fugou.serde.avro;

/**
 * Confluent's wire format: byte 0 is the magic byte 0x00, bytes 1-4 the schema's registry id
 * (big-endian int), the rest the Avro binary encoding of the value.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0x0;
    public static final int ID_SIZE = 4;
    public static final int HEADER_SIZE = 1 + ID_SIZE;

    private WireFormat() {
    }
}

package io.fugou.platform.web.paging;

import io.fugou.platform.web.InvalidFieldException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Where a page ends in a list's stable order (for example a row's created-at and id), handed to the
 * client as an opaque string and taken back as {@code cursor}. Keyset paging, not offsets: a row
 * added or removed meanwhile neither repeats nor skips a row. Opaque by contract, not by cryptography:
 * it is not signed, so a client could decode and edit one; a malformed one is refused as an invalid
 * {@code cursor} field (read numbers with {@link #longValue}), and queries take the merchant from the
 * token, so an edited cursor can only move within the client's own merchant's rows.
 */
public record Cursor(List<String> values) {

    private static final String FIELD = "cursor";
    private static final char SEPARATOR = '\u001f';
    private static final String VERSION = "1";

    public Cursor {
        values = List.copyOf(values);
        if (values.isEmpty() || values.stream().anyMatch(value -> value.indexOf(SEPARATOR) >= 0)) {
            throw new IllegalArgumentException("a cursor needs one or more values without the unit separator: " + values);
        }
    }

    public static Cursor of(String... values) {
        return new Cursor(List.of(values));
    }

    public String value(int index) {
        return values.get(index);
    }

    /** A numeric value, or the client's error when an edited cursor carries something else. */
    public long longValue(int index) {
        try {
            return Long.parseLong(values.get(index));
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    public String encode() {
        String joined = VERSION + SEPARATOR + String.join(String.valueOf(SEPARATOR), values);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(joined.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a cursor the API handed out with {@code arity} values; anything else is the client's error. */
    public static Cursor decode(String encoded, int arity) {
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        List<String> parts = List.of(decoded.split(String.valueOf(SEPARATOR), -1));
        if (parts.size() != arity + 1 || !parts.get(0).equals(VERSION)) {
            throw invalid();
        }
        return new Cursor(parts.subList(1, parts.size()));
    }

    private static InvalidFieldException invalid() {
        return new InvalidFieldException(FIELD, "is not a cursor this list handed out; start again without it");
    }
}

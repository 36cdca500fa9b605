package io.fugou.platform.web.paging;

import io.fugou.platform.web.InvalidFieldException;
import java.util.Optional;

/**
 * What page a list request asks for: {@code limit} (1 to {@link #MAX_LIMIT}, default
 * {@link #DEFAULT_LIMIT}) and, after the first page, the {@code cursor} the previous page handed
 * out. Declare it as a handler parameter; it is read from the query string and checked, with a
 * problem naming the field at fault.
 */
public record PageRequest(int limit, Optional<String> cursor) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidFieldException("limit", "must be between 1 and " + MAX_LIMIT + " but was " + limit);
        }
    }

    public static PageRequest of(String limit, String cursor) {
        int parsed;
        try {
            parsed = limit == null || limit.isBlank() ? DEFAULT_LIMIT : Integer.parseInt(limit.trim());
        } catch (NumberFormatException e) {
            throw new InvalidFieldException("limit", "must be a whole number between 1 and " + MAX_LIMIT);
        }
        return new PageRequest(parsed, Optional.ofNullable(cursor).filter(value -> !value.isBlank()));
    }

    /** Rows to fetch: one more than shown, to know whether another page exists. */
    public int fetchSize() {
        return limit + 1;
    }

    /** The position to continue after, decoded; empty on the first page. */
    public Optional<Cursor> after(int arity) {
        return cursor.map(value -> Cursor.decode(value, arity));
    }
}

package io.fugou.platform.web.paging;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list endpoint, the one response shape every list in every service has:
 * {@code {"items": [...], "nextCursor": "..."}}; {@code nextCursor} is null on the last page.
 */
public record Page<T>(List<T> items, String nextCursor) {

    /**
     * Builds a page from rows fetched with {@link PageRequest#fetchSize()} (one more than the limit):
     * the extra row only says that another page exists, and the cursor points after the last row shown.
     *
     * @param position what identifies a row's place in the stable order, e.g. its created-at and id
     */
    public static <T> Page<T> of(List<T> rows, PageRequest request, Function<T, Cursor> position) {
        if (rows.size() <= request.limit()) {
            return new Page<>(List.copyOf(rows), null);
        }
        List<T> shown = List.copyOf(rows.subList(0, request.limit()));
        return new Page<>(shown, position.apply(shown.get(shown.size() - 1)).encode());
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), nextCursor);
    }
}

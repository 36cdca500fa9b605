package io.fugou.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads every SQL statement a service's sources hand to {@code DatabaseClient.sql(...)} and lists
 * those that could touch another merchant's rows: a select, update or delete whose WHERE does not
 * name {@code merchant_id}, or an insert that does not write it. Every service's tests run it over
 * their own sources (see {@link ServiceSkeletonContract}), so a query that forgets the merchant
 * fails the build. Schema statements (create, alter, drop, do) are not data access and are skipped.
 *
 * <p>A guard against forgetting, not a proof: it reads SQL written inline in {@code .sql(...)} (not
 * SQL built in a variable), it looks for {@code merchant_id} after the last WHERE (so an {@code OR}
 * beside it, or a scope only inside a subquery, passes), and a statement naming a shared table is
 * not checked at all. Keep repository SQL inline and simple, and it catches the common slip. A
 * statement that must span merchants starts with {@value #ACROSS_MERCHANTS} and the reason.
 */
public final class MerchantScopedSql {

    private static final Pattern TEXT_BLOCK = Pattern.compile("\\.sql\\(\\s*\"\"\"(.*?)\"\"\"", Pattern.DOTALL);
    private static final Pattern LITERAL = Pattern.compile("\\.sql\\(\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /**
     * How a statement that must span merchants says so and why, as its first line: a scheduler listing
     * the merchants it has work for, say. It reads merchant ids, never a merchant's rows for another.
     */
    public static final String ACROSS_MERCHANTS = "-- across merchants:";

    private MerchantScopedSql() {
    }

    /**
     * @param sources      a service's {@code src/main/java}
     * @param sharedTables tables that belong to no merchant (reference data), which need no scope
     * @return each unscoped statement as {@code File.java: statement}
     */
    public static List<String> unscopedStatements(Path sources, Set<String> sharedTables) {
        List<String> unscoped = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                for (String statement : statements(Files.readString(file))) {
                    if (!isScoped(statement, sharedTables)) {
                        unscoped.add(file.getFileName() + ": " + statement.replaceAll("\\s+", " ").trim());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sources, e);
        }
        return unscoped;
    }

    static List<String> statements(String source) {
        List<String> statements = new ArrayList<>();
        for (Pattern pattern : List.of(TEXT_BLOCK, LITERAL)) {
            Matcher matcher = pattern.matcher(source);
            while (matcher.find()) {
                statements.add(matcher.group(1));
            }
        }
        return statements;
    }

    static boolean isScoped(String statement, Set<String> sharedTables) {
        String sql = statement.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
        if (sql.startsWith(ACROSS_MERCHANTS)) {
            return true;
        }
        String verb = sql.split(" ", 2)[0];
        if (sharedTables.stream().anyMatch(table -> sql.matches(".*\\b(from|into|update|join) " + Pattern.quote(table) + "\\b.*"))) {
            return true;
        }
        return switch (verb) {
            case "select" -> {
                int where = sql.lastIndexOf(" where ");
                // A select that reads no table (taking a lock, say, over the values it is given: from unnest(...) only)
                // touches no merchant's rows.
                String tables = sql.replace(" from unnest(", " ");
                yield !(tables.contains(" from ") || tables.contains(" join ")) || (where >= 0 && sql.indexOf("merchant_id", where) > where);
            }
            case "update", "delete", "with" -> {
                int where = sql.lastIndexOf(" where ");
                yield where >= 0 && sql.indexOf("merchant_id", where) > where;
            }
            case "insert" -> sql.contains("merchant_id");
            default -> true;
        };
    }
}

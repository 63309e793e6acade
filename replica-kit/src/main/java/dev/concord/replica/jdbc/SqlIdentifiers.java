package dev.concord.replica.jdbc;

import java.util.regex.Pattern;

/** Table and column names go into SQL text: plain lower-case identifiers only, never anything a caller could inject. */
final class SqlIdentifiers {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private SqlIdentifiers() {
    }

    static String require(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a plain lower-case SQL identifier ([a-z_][a-z0-9_]*)");
        }
        return name;
    }

    /** A checked name as a quoted identifier: the same name (lower case), never read as a keyword. */
    static String quoted(String name) {
        return '"' + require(name) + '"';
    }
}

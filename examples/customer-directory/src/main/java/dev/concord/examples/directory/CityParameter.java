package dev.concord.examples.directory;

import java.util.Optional;

/** What the directory accepts as {@code ?city=}: text PostgreSQL can compare (no NUL, which it refuses outright). */
final class CityParameter {

    static final int MAX_LENGTH = 200;
    static final String RULE = "1 to " + MAX_LENGTH + " characters without control characters";

    private CityParameter() {
    }

    /** What is wrong with the value, for the problem's {@code actual}; empty when it is a city to look up. */
    static Optional<String> violation(String city) {
        if (city.isEmpty()) {
            return Optional.of("nothing");
        }
        int length = city.codePointCount(0, city.length());
        if (length > MAX_LENGTH) {
            return Optional.of(length + " characters");
        }
        java.util.OptionalInt control = city.codePoints().filter(Character::isISOControl).findFirst();
        return control.isPresent() ? Optional.of(String.format("the control character U+%04X", control.getAsInt())) : Optional.empty();
    }
}

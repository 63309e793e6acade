package dev.concord.contract.settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's settings as typed values, read from its configuration (each service hands in its Micronaut
 * environment's lookup). The settings records ({@code FeedSettings}, {@code OutboxSettings}, ...) hold each
 * default once and read themselves through this; a value that is set but does not convert, or is out of range,
 * stops the start-up with a {@link InvalidSettingException} naming the property and the environment variable an
 * operator sets it with. A blank value counts as not set (application.yml maps variables with empty defaults).
 */
public final class Settings {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private static final Pattern YAML_KEY = Pattern.compile("^( *)([A-Za-z0-9_.-]+):(.*)$");
    private static final Pattern PLACEHOLDER = Pattern.compile("^\\s*\\$\\{([A-Z][A-Z0-9_]*):");

    private final Function<String, Optional<String>> lookup;
    private final Map<String, String> environmentNames;

    /** @param lookup the configured value of a property, if any */
    public Settings(Function<String, Optional<String>> lookup) {
        this(lookup, Map.of());
    }

    /**
     * @param environmentNames property → the environment variable that sets it, where application.yml maps another
     *                         name than the one derived from the property ({@link #environmentNamesOf})
     */
    public Settings(Function<String, Optional<String>> lookup, Map<String, String> environmentNames) {
        this.lookup = lookup;
        this.environmentNames = Map.copyOf(environmentNames);
    }

    /**
     * A service's settings: its configuration's lookup, and the variable names its {@code application.yml} (on the
     * classpath) maps.
     */
    public static Settings ofService(Function<String, Optional<String>> lookup) {
        try (InputStream yml = Settings.class.getClassLoader().getResourceAsStream("application.yml")) {
            return new Settings(lookup, yml == null ? Map.of() : environmentNamesOf(new String(yml.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read application.yml", e);
        }
    }

    /**
     * The environment variables an application.yml maps ({@code key: ${VARIABLE:default}}), by property path: the
     * one place that says which variable sets what, read so that a refusal names the variable the operator sets.
     */
    public static Map<String, String> environmentNamesOf(String applicationYml) {
        Map<String, String> names = new HashMap<>();
        Deque<Map.Entry<Integer, String>> path = new ArrayDeque<>();
        for (String line : applicationYml.split("\n")) {
            Matcher key = YAML_KEY.matcher(line);
            if (line.isBlank() || line.stripLeading().startsWith("#") || !key.matches()) {
                continue;
            }
            int indent = key.group(1).length();
            while (!path.isEmpty() && path.peekLast().getKey() >= indent) {
                path.removeLast();
            }
            path.addLast(Map.entry(indent, key.group(2)));
            Matcher variable = PLACEHOLDER.matcher(key.group(3));
            if (variable.find()) {
                names.put(String.join(".", path.stream().map(Map.Entry::getValue).toList()), variable.group(1));
            }
        }
        return names;
    }

    /** The text set for {@code name}, or {@code fallback}. */
    public String text(String name, String fallback) {
        return raw(name).orElse(fallback);
    }

    /** The text set for {@code name}, or empty. */
    public Optional<String> optionalText(String name) {
        return raw(name);
    }

    /** A whole number within [{@code min}, {@code max}], or {@code fallback} when not set. */
    public long number(String name, long fallback, long min, long max) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(raw.get().trim());
        } catch (NumberFormatException e) {
            throw invalid(name, raw.get(), "a whole number");
        }
        if (value < min || value > max) {
            throw invalid(name, raw.get(), "a whole number from " + min + " to " + max);
        }
        return value;
    }

    /** A positive decimal number (e.g. a rate: {@code 0.5} per second), or {@code fallback} when not set. */
    public double positive(String name, double fallback) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(raw.get().trim());
            if (value > 0 && Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw invalid(name, raw.get(), "a positive number");
    }

    /** Like {@link #number} for an int. */
    public int count(String name, int fallback, int min, int max) {
        return (int) number(name, fallback, min, max);
    }

    /** A positive duration ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601 {@code PT30S}), or {@code fallback}. */
    public Duration duration(String name, Duration fallback) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        Duration value = parseDuration(raw.get().trim().toLowerCase(Locale.ROOT));
        if (value == null || value.isNegative() || value.isZero()) {
            throw invalid(name, raw.get(), "a positive duration, e.g. 500ms, 30s, 5m, 2h, 7d");
        }
        return value;
    }

    /** {@code true} or {@code false}, or {@code fallback}. */
    public boolean flag(String name, boolean fallback) {
        Optional<String> raw = raw(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        return switch (raw.get().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(name, raw.get(), "true or false");
        };
    }

    /** The environment variable that sets a property: {@code concord.feed.max-wait} is {@code CONCORD_FEED_MAX_WAIT}. */
    public static String environmentVariable(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A refusal of the value set for {@code property}, naming the variable that sets it here. */
    public InvalidSettingException invalid(String property, String value, String expected) {
        return new InvalidSettingException(environmentNames.getOrDefault(property, environmentVariable(property)), property, value,
                expected);
    }

    private Optional<String> raw(String name) {
        return lookup.apply(name).filter(value -> !value.isBlank());
    }

    private static Duration parseDuration(String text) {
        Matcher shortForm = SHORT_DURATION.matcher(text);
        if (shortForm.matches()) {
            long amount = Long.parseLong(shortForm.group(1));
            return switch (shortForm.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A setting that is set but unusable: the message names it as the operator knows it. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        public InvalidSettingException(String variable, String property, String value, String expected) {
            super(variable + " (" + property + ") is '" + value + "', which is not " + expected);
        }
    }
}

package dev.concord.producer.source;

import dev.concord.contract.settings.Settings;

/**
 * A database of the service that owns the data, which a door reads (the outbox, change data capture):
 * {@code <prefix>.jdbc-url}, {@code <prefix>.user}, {@code <prefix>.password}; user and password null when not set
 * (the URL may carry them).
 */
public record SourceDatabase(String jdbcUrl, String user, String password) {

    /** @throws Settings.InvalidSettingException when no URL is set (the door is on only with one) */
    public static SourceDatabase from(Settings settings, String prefix) {
        String url = settings.optionalText(prefix + ".jdbc-url")
                .orElseThrow(() -> settings.invalid(prefix + ".jdbc-url", "", "a JDBC URL"));
        return new SourceDatabase(url, settings.optionalText(prefix + ".user").orElse(null),
                settings.optionalText(prefix + ".password").orElse(null));
    }
}

package dev.concord.security;

import dev.concord.contract.settings.Settings;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;

/**
 * The service's settings ({@link Settings}: typed, each default written once with the record that reads it, a bad
 * value refused naming its variable). Here because every service, and this module's own beans, read them: one bean
 * for the three services.
 */
@Factory
public class SettingsFactory {

    @Singleton
    public Settings settings(Environment environment) {
        return Settings.ofService(name -> environment.getProperty(name, String.class));
    }
}

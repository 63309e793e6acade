package dev.concord.security;

import dev.concord.contract.settings.Settings;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;

/** What each service provides (its ContractFactory or ProcessorFactory): the settings the security beans read. */
@Factory
class TestSettingsFactory {

    @Singleton
    Settings settings(Environment environment) {
        return new Settings(name -> environment.getProperty(name, String.class));
    }
}

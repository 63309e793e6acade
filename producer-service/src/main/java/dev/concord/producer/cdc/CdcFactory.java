package dev.concord.producer.cdc;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.settings.Settings;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.source.SourceDatabase;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventPublisher;
import dev.concord.producer.write.LocalState;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.convert.format.MapFormat;
import java.util.Map;
import java.util.TreeMap;

/** Starts change data capture when a source database is configured ({@code CONCORD_CDC_JDBC_URL}). */
@Factory
@Requires(property = "concord.cdc.jdbc-url", pattern = ".+")
public class CdcFactory {

    @Context
    @Bean(preDestroy = "close")
    public CdcCapture cdcCapture(ConcordContract contract, EventPublisher publisher, EventFactory events, WriteMetrics metrics,
                                 Settings settings,
                                 @Nullable @Property(name = "concord.cdc.debezium") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                                 Map<String, Object> debezium) throws java.io.IOException {
        SourceDatabase database = SourceDatabase.from(settings, "concord.cdc");
        String slot = settings.text("concord.cdc.slot", "concord_cdc");
        CdcSettings cdc = new CdcSettings(database.jdbcUrl(), database.user(), database.password(),
                CdcSettings.parseTables(settings.text("concord.cdc.tables", "")), slot,
                LocalState.directory(settings).resolve("cdc-offsets-" + slot + ".dat"),
                settings.text("concord.cdc.writer-id", "cdc"), debeziumProperties(debezium));
        CdcCapture capture = new CdcCapture(cdc, contract, publisher, events, metrics);
        capture.start();
        return capture;
    }

    /**
     * {@code concord.cdc.debezium.*} as Debezium properties. An environment variable such as
     * {@code CONCORD_CDC_DEBEZIUM_HEARTBEAT_INTERVAL_MS} appears under every spelling of its name;
     * Debezium's own names use dots only, so the dashed spellings are dropped.
     */
    static Map<String, String> debeziumProperties(Map<String, Object> settings) {
        Map<String, String> properties = new TreeMap<>();
        if (settings != null) {
            settings.forEach((key, value) -> {
                if (!key.contains("-") && value != null) {
                    properties.put(key, value.toString());
                }
            });
        }
        return properties;
    }
}

package dev.concord.producer.cdc;

import dev.concord.contract.ConcordContract;
import dev.concord.producer.monitoring.WriteMetrics;
import dev.concord.producer.write.EventFactory;
import dev.concord.producer.write.EventPublisher;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.convert.format.MapFormat;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Starts change data capture when a source database is configured ({@code CONCORD_CDC_JDBC_URL}). */
@Factory
@Requires(property = "concord.cdc.jdbc-url", pattern = ".+")
public class CdcFactory {

    @Context
    @Bean(preDestroy = "close")
    public CdcCapture cdcCapture(ConcordContract contract, EventPublisher publisher, EventFactory events, WriteMetrics metrics,
                                 @Value("${concord.cdc.jdbc-url}") String jdbcUrl,
                                 @Nullable @Value("${concord.cdc.user:}") String user,
                                 @Nullable @Value("${concord.cdc.password:}") String password,
                                 @Value("${concord.cdc.tables}") String tables,
                                 @Value("${concord.cdc.slot:concord_cdc}") String slot,
                                 @Value("${concord.cdc.writer-id:cdc}") String writerId,
                                 @Nullable @Value("${concord.data-dir:}") String dataDir,
                                 @Nullable @Property(name = "concord.cdc.debezium") @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                                 Map<String, Object> debezium) throws java.io.IOException {
        Path dir = dataDir == null || dataDir.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "concord-producer")
                : Path.of(dataDir);
        CdcSettings settings = new CdcSettings(jdbcUrl, user, password, CdcSettings.parseTables(tables), slot,
                dir.resolve("cdc-offsets-" + slot + ".dat"), writerId, debeziumProperties(debezium));
        CdcCapture capture = new CdcCapture(settings, contract, publisher, events, metrics);
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

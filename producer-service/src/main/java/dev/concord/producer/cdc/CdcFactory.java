package dev.concord.producer.cdc;

import dev.concord.contract.ConcordContract;
import dev.concord.producer.publish.EventPublisher;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;

/** Starts change data capture when a source database is configured ({@code CONCORD_CDC_JDBC_URL}). */
@Factory
@Requires(property = "concord.cdc.jdbc-url", pattern = ".+")
public class CdcFactory {

    @Context
    @Bean(preDestroy = "close")
    public CdcCapture cdcCapture(ConcordContract contract, EventPublisher publisher,
                                 @Value("${concord.cdc.jdbc-url}") String jdbcUrl,
                                 @Nullable @Value("${concord.cdc.user:}") String user,
                                 @Nullable @Value("${concord.cdc.password:}") String password,
                                 @Value("${concord.cdc.tables}") String tables,
                                 @Value("${concord.cdc.slot:concord_cdc}") String slot,
                                 @Value("${concord.cdc.writer-id:cdc}") String writerId,
                                 @Nullable @Value("${concord.data-dir:}") String dataDir) throws java.io.IOException {
        Path dir = dataDir == null || dataDir.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "concord-producer")
                : Path.of(dataDir);
        CdcSettings settings = new CdcSettings(jdbcUrl, user, password, CdcSettings.parseTables(tables), slot,
                dir.resolve("cdc-offsets-" + slot + ".dat"), writerId);
        CdcCapture capture = new CdcCapture(settings, contract, publisher);
        capture.start();
        return capture;
    }
}

package dev.concord.replica.micronaut;

import dev.concord.contract.types.EntityTypes;
import dev.concord.replica.Replica;
import dev.concord.replica.jdbc.TypeBinding;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.convert.format.MapFormat;
import io.micronaut.core.convert.format.MapFormat.MapTransformation;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The kit in a Micronaut service: with {@code concord.replica-kit.name} set, a {@link Replica} starts with the
 * application context on its {@link DataSource}, applying every type a {@link TypeBinding} bean names, and stops
 * before the DataSource closes. Readiness ({@link ReplicaReadinessIndicator}, reading the Replica) is DOWN until it has
 * caught up.
 *
 * <pre>
 * concord:
 *   replica-kit:
 *     name: customer-directory            # its consumer group; its rows in the kit's tables
 *     types: /etc/concord/types/concord-types.json   # default: the declaration on the classpath
 *     kafka:
 *       bootstrap.servers: kafka:9093     # and the security settings, as for Concord's services
 *     appliers: 6                         # optional: applier threads sharing the partitions (default 3)
 *     consumer:
 *       max.poll.records: 500             # optional consumer tuning
 * </pre>
 */
@Factory
@Requires(property = "concord.replica-kit.name")
public class ReplicaKitFactory {

    @Context
    @Bean(preDestroy = "close")
    Replica replica(@Property(name = "concord.replica-kit.name") String name,
                    @Nullable @Property(name = "concord.replica-kit.types") String declaration,
                    @Property(name = "concord.replica-kit.kafka") @MapFormat(transformation = MapTransformation.FLAT) Map<String, Object> kafka,
                    @Nullable @Property(name = "concord.replica-kit.consumer") @MapFormat(transformation = MapTransformation.FLAT)
                    Map<String, Object> consumer,
                    @Nullable @Property(name = "concord.replica-kit.appliers") Integer appliers,
                    DataSource dataSource, List<TypeBinding<?>> bindings, @Nullable MeterRegistry registry) {
        Replica.Builder builder = Replica.builder()
                .name(name)
                .kafka(kafka)
                .consumer(consumer == null ? Map.of() : consumer)
                .types(EntityTypes.load(declaration == null || declaration.isBlank() ? EntityTypes.DEFAULT_DECLARATION : declaration))
                .dataSource(dataSource)
                .appliers(appliers == null ? Replica.Builder.DEFAULT_APPLIERS : appliers)
                .metrics(registry);
        bindings.forEach(builder::bind);
        return builder.start();
    }
}

package dev.concord.examples.directory;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The service's own schema, migrated as soon as its DataSource exists: before the replica applies anything to it. */
@Singleton
class DirectorySchema implements BeanCreatedEventListener<DataSource> {

    @Override
    public DataSource onCreated(BeanCreatedEvent<DataSource> event) {
        Flyway.configure().dataSource(event.getBean()).locations("classpath:db/directory").load().migrate();
        return event.getBean();
    }
}

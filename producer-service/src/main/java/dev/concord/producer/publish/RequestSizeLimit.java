package dev.concord.producer.publish;

import dev.concord.producer.write.PayloadLimits;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.HttpServerConfiguration;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the HTTP server's {@code max-request-size} to {@link PayloadLimits#maxBodyBytes()}, so the body
 * limit is derived from what the processor can carry in one place instead of a number in a YAML file
 * that could drift. A larger body is answered 413 by the server before it is read whole, as
 * {@code application/problem+json} (see {@code ProblemErrorResponseProcessor}).
 */
@Singleton
public class RequestSizeLimit implements BeanCreatedEventListener<HttpServerConfiguration> {

    private static final Logger LOG = LoggerFactory.getLogger(RequestSizeLimit.class);

    private final BeanProvider<PayloadLimits> limits;

    public RequestSizeLimit(BeanProvider<PayloadLimits> limits) {
        this.limits = limits;
    }

    @Override
    public HttpServerConfiguration onCreated(BeanCreatedEvent<HttpServerConfiguration> event) {
        HttpServerConfiguration configuration = event.getBean();
        PayloadLimits payloadLimits = limits.get();
        configuration.setMaxRequestSize(payloadLimits.maxBodyBytes());
        LOG.info("Request bodies up to {} bytes; encoded payloads up to {} bytes per type, every record the processor"
                + " writes within {} bytes", payloadLimits.maxBodyBytes(), payloadLimits.maxPayloadBytesByType(),
                payloadLimits.maxOutputBytes());
        return configuration;
    }
}

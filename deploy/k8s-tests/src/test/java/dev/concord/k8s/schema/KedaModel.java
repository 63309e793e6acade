package dev.concord.k8s.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.List;
import java.util.Map;

/**
 * KEDA's {@code keda.sh/v1alpha1} objects as far as Concord uses them. KEDA publishes no Java model (fabric8 has
 * none, Maven Central has none), so these records follow the CRDs of KEDA 2.18 (config/crd/bases/keda.sh_scaledobjects.yaml
 * and keda.sh_triggerauthentications.yaml in kedacore/keda), field for field for every object the CRDs allow that
 * Concord could plausibly set; read strictly (an unknown field fails), so a misspelt field is an error. The kafka
 * scaler's {@code metadata} is a free string map in the CRD; {@link #KAFKA_TRIGGER_METADATA} lists the keys KEDA's
 * kafka scaler reads (keda.sh/docs/2.18/scalers/apache-kafka), so a misspelt key is an error here too.
 */
public final class KedaModel {

    /** Keys KEDA's kafka scaler reads from a trigger's metadata (KEDA 2.18). */
    public static final java.util.Set<String> KAFKA_TRIGGER_METADATA = java.util.Set.of(
            "bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
            "allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag",
            "partitionLimitation", "ensureEvenDistributionOfPartitions", "version", "sasl", "tls", "unsafeSsl");

    /** Parameters a TriggerAuthentication may give KEDA's kafka scaler (KEDA 2.18). */
    public static final java.util.Set<String> KAFKA_AUTH_PARAMETERS = java.util.Set.of(
            "sasl", "username", "password", "tls", "ca", "cert", "key", "keyPassword", "unsafeSsl", "oauthTokenEndpointUri",
            "scopes", "oauthExtensions", "awsRegion", "awsEndpoint", "awsAccessKeyID", "awsSecretAccessKey");

    private KedaModel() {
    }

    public record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec) {
    }

    public record ScaledObjectSpec(ScaleTarget scaleTargetRef, Integer pollingInterval, Integer initialCooldownPeriod,
            Integer cooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount, Integer maxReplicaCount,
            Advanced advanced, Fallback fallback, List<Trigger> triggers) {
    }

    public record ScaleTarget(String apiVersion, String kind, String name, String envSourceContainerName) {
    }

    public record Advanced(Boolean restoreToOriginalReplicaCount, HpaConfig horizontalPodAutoscalerConfig,
            Map<String, Object> scalingModifiers) {
    }

    public record HpaConfig(String name, HorizontalPodAutoscalerBehavior behavior) {
    }

    public record Fallback(Integer failureThreshold, Integer replicas, String behavior) {
    }

    public record Trigger(String type, String name, Boolean useCachedMetrics, String metricType,
            Map<String, String> metadata, AuthenticationRef authenticationRef) {
    }

    public record AuthenticationRef(String name, String kind) {
    }

    public record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, TriggerAuthenticationSpec spec) {
    }

    public record TriggerAuthenticationSpec(List<SecretTargetRef> secretTargetRef, List<EnvTargetRef> env,
            List<ConfigMapTargetRef> configMapTargetRef, Map<String, Object> podIdentity,
            @JsonProperty("hashiCorpVault") Map<String, Object> hashiCorpVault) {
    }

    public record SecretTargetRef(String parameter, String name, String key) {
    }

    public record EnvTargetRef(String parameter, String name, String containerName) {
    }

    public record ConfigMapTargetRef(String parameter, String name, String key) {
    }
}

package dev.concord.k8s.schema;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one rendered object against the model classes of the project that owns its kind: Kubernetes' (fabric8),
 * Strimzi's ({@code io.strimzi:api} of the pinned operator), the Prometheus Operator's (fabric8's monitoring model)
 * and KEDA's ({@link KedaModel}). An apiVersion/kind the target cluster does not serve is an error (Strimzi 1.x serves
 * only {@code kafka.strimzi.io/v1}); so is a value of the wrong type, an unknown enum value, and any field the model
 * does not know: those models keep unknown fields in {@code additionalProperties}, and this walks the whole object
 * graph and reports every non-empty one with its path.
 */
public final class SchemaValidator {

    /** apiVersion + "/" + kind, for every kind Concord's overlays may render, to the class that models it. */
    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            // Strimzi 1.x's model is built for Java 21: named, not imported, so this module still compiles for Java 17.
            Map.entry("kafka.strimzi.io/v1/Kafka", strimzi("kafka.Kafka")),
            Map.entry("kafka.strimzi.io/v1/KafkaNodePool", strimzi("nodepool.KafkaNodePool")),
            Map.entry("kafka.strimzi.io/v1/KafkaTopic", strimzi("topic.KafkaTopic")),
            Map.entry("kafka.strimzi.io/v1/KafkaUser", strimzi("user.KafkaUser")),
            Map.entry("kafka.strimzi.io/v1/KafkaMirrorMaker2", strimzi("mirrormaker2.KafkaMirrorMaker2")),
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("v1/Pod", io.fabric8.kubernetes.api.model.Pod.class),
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("v1/ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry("apps/v1/StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class),
            Map.entry("policy/v1/PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler",
                    io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PodMonitor", io.fabric8.openshift.api.model.monitoring.v1.PodMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule.class),
            Map.entry("keda.sh/v1alpha1/ScaledObject", KedaModel.ScaledObject.class),
            Map.entry("keda.sh/v1alpha1/TriggerAuthentication", KedaModel.TriggerAuthentication.class));

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private SchemaValidator() {
    }

    /** True when this JVM can load Strimzi's model (Java 21 or later). */
    public static boolean canLoadStrimziModel() {
        return Runtime.version().feature() >= 21;
    }

    private static Class<?> strimzi(String name) {
        if (!canLoadStrimziModel()) {
            return Void.class; // validate() refuses to run; see canLoadStrimziModel
        }
        try {
            return Class.forName("io.strimzi.api.kafka.model." + name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("io.strimzi:api is not on the test classpath", e);
        }
    }

    /** The errors of one object, each naming the object and the path of the offending field; empty when valid. */
    public static List<String> validate(Map<String, Object> resource) {
        String apiVersion = String.valueOf(resource.get("apiVersion"));
        String kind = String.valueOf(resource.get("kind"));
        Object metadata = resource.get("metadata");
        String name = metadata instanceof Map<?, ?> m ? String.valueOf(m.get("name")) : "?";
        String what = kind + " " + name + " (" + apiVersion + ")";
        if (!canLoadStrimziModel()) {
            throw new IllegalStateException("Strimzi's model needs Java 21 or later; this JVM is " + Runtime.version());
        }
        Class<?> model = MODELS.get(apiVersion + "/" + kind);
        if (model == null) {
            return List.of(what + ": " + apiVersion + "/" + kind + " is not a kind the target cluster serves");
        }
        Object parsed;
        try {
            parsed = STRICT.convertValue(resource, model);
        } catch (IllegalArgumentException e) {
            return List.of(what + ": does not match " + model.getName() + ": " + e.getMessage());
        }
        List<String> errors = new ArrayList<>();
        walk(parsed, kind, errors, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (model == KedaModel.ScaledObject.class) {
            errors.addAll(kafkaTriggerKeys((KedaModel.ScaledObject) parsed));
        }
        if (model == KedaModel.TriggerAuthentication.class) {
            errors.addAll(kafkaAuthParameters((KedaModel.TriggerAuthentication) parsed));
        }
        return errors.stream().map(e -> what + ": " + e).toList();
    }

    /** Every model object under {@code node} whose additionalProperties is not empty, reported by its path. */
    private static void walk(Object node, String path, List<String> errors, Set<Object> seen) {
        if (node == null || !isModel(node.getClass()) || !seen.add(node)) {
            if (node instanceof Collection<?> items) {
                int i = 0;
                for (Object item : items) {
                    walk(item, path + "[" + i++ + "]", errors, seen);
                }
            } else if (node instanceof Map<?, ?> map) {
                map.forEach((k, v) -> walk(v, path + "." + k, errors, seen));
            }
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (!isGetter(getter)) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("reading " + path + " via " + getter, e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> errors.add("unknown field " + path + "." + k));
                }
            } else {
                walk(value, path + "." + property(getter), errors, seen);
            }
        }
        if (node instanceof Record record) {
            for (var component : record.getClass().getRecordComponents()) {
                try {
                    walk(component.getAccessor().invoke(record), path + "." + component.getName(), errors, seen);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static boolean isModel(Class<?> type) {
        String name = type.getName();
        return !type.isEnum() && (name.startsWith("io.fabric8.") || name.startsWith("io.strimzi.")
                || name.startsWith(KedaModel.class.getName()));
    }

    private static boolean isGetter(Method m) {
        return m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class
                && (m.getName().startsWith("get") || m.getName().startsWith("is")) && m.getReturnType() != void.class;
    }

    private static String property(Method getter) {
        String n = getter.getName().startsWith("is") ? getter.getName().substring(2) : getter.getName().substring(3);
        return n.isEmpty() ? n : Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }

    private static List<String> kafkaTriggerKeys(KedaModel.ScaledObject scaledObject) {
        List<String> errors = new ArrayList<>();
        List<KedaModel.Trigger> triggers = scaledObject.spec() == null || scaledObject.spec().triggers() == null
                ? List.of() : scaledObject.spec().triggers();
        for (int i = 0; i < triggers.size(); i++) {
            KedaModel.Trigger trigger = triggers.get(i);
            if ("kafka".equals(trigger.type()) && trigger.metadata() != null) {
                for (String key : trigger.metadata().keySet()) {
                    if (!KedaModel.KAFKA_TRIGGER_METADATA.contains(key)) {
                        errors.add("unknown kafka trigger metadata ScaledObject.spec.triggers[" + i + "].metadata." + key);
                    }
                }
            }
        }
        return errors;
    }

    private static List<String> kafkaAuthParameters(KedaModel.TriggerAuthentication auth) {
        List<String> errors = new ArrayList<>();
        if (auth.spec() != null && auth.spec().secretTargetRef() != null) {
            for (KedaModel.SecretTargetRef ref : auth.spec().secretTargetRef()) {
                if (!KedaModel.KAFKA_AUTH_PARAMETERS.contains(ref.parameter())) {
                    errors.add("unknown kafka scaler parameter TriggerAuthentication.spec.secretTargetRef " + ref.parameter());
                }
            }
        }
        return errors;
    }
}

package dev.concord.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it: first every key of each {@code envFrom} source,
 * then {@code env} in order. A {@code $(NAME)} in a value refers to a variable defined before it.
 */
final class ContainerEnv {

    static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    /** One variable and where its value comes from (exactly one of the sources is set). */
    record Var(String name, String value, String configMap, String configMapKey, String secret, String secretKey,
               String fieldPath) {

        boolean fromSecret() {
            return secret != null;
        }

        List<String> references() {
            List<String> names = new ArrayList<>();
            if (value != null) {
                Matcher m = REFERENCE.matcher(value);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
            return names;
        }
    }

    private ContainerEnv() {
    }

    static List<Var> of(Rendered rendered, Map<String, Object> container) {
        List<Var> vars = new ArrayList<>();
        for (Object source : Y.list(container, "envFrom")) {
            String configMap = Y.str(source, "configMapRef", "name");
            if (configMap == null) {
                throw new AssertionError("container " + Y.str(container, "name") + " in overlay " + rendered.overlay()
                        + " takes its environment from something other than a ConfigMap: " + source
                        + " (secrets are referenced key by key, so every variable is visible here)");
            }
            rendered.configMapData(configMap).forEach((key, value) -> vars.add(new Var(key, value, configMap, key, null, null, null)));
        }
        for (Object entry : Y.list(container, "env")) {
            String name = Y.str(entry, "name");
            if (Y.get(entry, "value") != null || Y.get(entry, "valueFrom") == null) {
                vars.add(new Var(name, Y.str(entry, "value") == null ? "" : Y.str(entry, "value"), null, null, null, null, null));
            } else if (Y.get(entry, "valueFrom", "secretKeyRef") != null) {
                vars.add(new Var(name, null, null, null, Y.str(entry, "valueFrom", "secretKeyRef", "name"),
                        Y.str(entry, "valueFrom", "secretKeyRef", "key"), null));
            } else if (Y.get(entry, "valueFrom", "configMapKeyRef") != null) {
                String configMap = Y.str(entry, "valueFrom", "configMapKeyRef", "name");
                String key = Y.str(entry, "valueFrom", "configMapKeyRef", "key");
                vars.add(new Var(name, rendered.configMapData(configMap).get(key), configMap, key, null, null, null));
            } else if (Y.get(entry, "valueFrom", "fieldRef") != null) {
                vars.add(new Var(name, null, null, null, null, null, Y.str(entry, "valueFrom", "fieldRef", "fieldPath")));
            } else {
                throw new AssertionError("unsupported valueFrom for " + name + ": " + entry);
            }
        }
        return vars;
    }

    /** The last definition wins, as in the kubelet. */
    static Var find(List<Var> vars, String name) {
        Var found = null;
        for (Var var : vars) {
            if (var.name().equals(name)) {
                found = var;
            }
        }
        return found;
    }

    static String literal(List<Var> vars, String name) {
        Var var = find(vars, name);
        return var == null ? null : var.value();
    }
}

package dev.concord.k8s;

import java.util.List;
import java.util.Map;

/** Navigation in parsed YAML (maps, lists, scalars) that answers "absent" instead of throwing. */
final class Y {

    private Y() {
    }

    static Object get(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... path) {
        Object value = get(node, path);
        return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String... path) {
        Object value = get(node, path);
        return value instanceof List<?> ? (List<Object>) value : List.of();
    }

    /** A scalar as text (numbers and booleans too), or null. */
    static String str(Object node, String... path) {
        Object value = get(node, path);
        return value == null || value instanceof Map || value instanceof List ? null : String.valueOf(value);
    }
}

package dev.concord.producer.security;

import dev.concord.contract.avro.Operation;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a client may do, as grants {@code <type>:<action>}: type is an entity type or {@code *};
 * action is {@code write} (PUT and PATCH), {@code delete}, or {@code *}. E.g. {@code customer:write},
 * {@code order:delete}, {@code *:*}. The grant {@code trusted-writer} additionally allows supplying the
 * server-owned fields (clock, writer). Unknown grants are ignored (and logged where they are loaded).
 */
public record Grants(Set<String> values) {

    public static final String ALL = "*:*";
    public static final String TRUSTED_WRITER = "trusted-writer";

    public Grants {
        values = Set.copyOf(values);
    }

    public static Grants parse(Collection<String> grants) {
        Set<String> normalized = new LinkedHashSet<>();
        for (String grant : grants) {
            if (grant != null && !grant.isBlank()) {
                normalized.add(grant.trim().toLowerCase(Locale.ROOT));
            }
        }
        return new Grants(normalized);
    }

    /** The action a write needs: PUT and PATCH need {@code write}, DELETE needs {@code delete}. */
    public static String actionOf(Operation op) {
        return op == Operation.DELETE ? "delete" : "write";
    }

    /** The grant that would allow {@code op} on {@code type}, for error messages. */
    public static String needed(String type, Operation op) {
        return type + ":" + actionOf(op);
    }

    public boolean allows(String type, Operation op) {
        String action = actionOf(op);
        for (String grant : values) {
            int colon = grant.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String grantType = grant.substring(0, colon);
            String grantAction = grant.substring(colon + 1);
            if ((grantType.equals("*") || grantType.equals(type)) && (grantAction.equals("*") || grantAction.equals(action))) {
                return true;
            }
        }
        return false;
    }

    public boolean trustedWriter() {
        return values.contains(TRUSTED_WRITER);
    }

    public List<String> sorted() {
        return values.stream().sorted().toList();
    }
}

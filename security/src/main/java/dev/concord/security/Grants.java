package dev.concord.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a client may do, as grants {@code <type>:<action>}: type is an entity type or {@code *}; action
 * is one of {@link Action} ({@code read}, {@code write}, {@code delete}, {@code admin}) or {@code *}.
 * E.g. {@code customer:read}, {@code order:delete}, {@code *:*}. The grant {@code trusted-writer}
 * additionally allows a writer to supply the server-owned fields (clock, writer). Unknown grants allow nothing.
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

    /** The grant that would allow {@code action} on {@code type}, for error messages. */
    public static String needed(String type, Action action) {
        return type + ":" + action.grantName();
    }

    public boolean allows(String type, Action action) {
        String wanted = action.grantName();
        for (String grant : values) {
            int colon = grant.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String grantType = grant.substring(0, colon);
            String grantAction = grant.substring(colon + 1);
            if ((grantType.equals("*") || grantType.equals(type)) && (grantAction.equals("*") || grantAction.equals(wanted))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Only what these grants allow of reading: {@code <type>:read} for each {@code <type>:read} or {@code <type>:*},
     * nothing of writing, deleting or administering (what a stream ticket carries: it sits in URLs, so it opens no more
     * than the streams it is for).
     */
    public Grants readOnly() {
        Set<String> read = new LinkedHashSet<>();
        for (String grant : values) {
            int colon = grant.indexOf(':');
            String action = colon < 0 ? "" : grant.substring(colon + 1);
            if (action.equals("*") || action.equals(Action.READ.grantName())) {
                read.add(grant.substring(0, colon) + ":" + Action.READ.grantName());
            }
        }
        return new Grants(read);
    }

    public boolean trustedWriter() {
        return values.contains(TRUSTED_WRITER);
    }

    public List<String> sorted() {
        return values.stream().sorted().toList();
    }
}

package dev.concord.security;

import java.util.Locale;

/**
 * What a grant allows on an entity type. {@code write} covers PUT and PATCH, {@code delete} deletes,
 * {@code read} covers entity reads, listings, every change-feed transport and the processor's state
 * queries, {@code admin} covers operational views of a type (e.g. a replica's dead letters).
 * None implies another: a writer that should also read is granted both.
 */
public enum Action {
    READ, WRITE, DELETE, ADMIN;

    /** The name used in grants, e.g. {@code read} in {@code customer:read}. */
    public String grantName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

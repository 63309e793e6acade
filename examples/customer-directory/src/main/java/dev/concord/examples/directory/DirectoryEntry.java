package dev.concord.examples.directory;

import java.time.Instant;

/** One customer as the directory answers it: its own columns, not Concord's envelope. */
public record DirectoryEntry(String id, String name, String email, String phone, String tier, String city, String country,
                             boolean marketingOptIn, long version, Instant updatedAt) {
}

package dev.concord.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The configured API keys, held only as SHA-256 digests: a leaked configuration does not leak a key.
 *
 * <p>Format ({@code CONCORD_API_KEYS}, or the file named by {@code CONCORD_API_KEYS_FILE}, e.g. a
 * mounted Kubernetes Secret): a JSON array of
 * {@code {"client": "billing", "sha256": "<64 hex digits of SHA-256(key)>", "grants": ["customer:write"]}}.
 * A development key ({@code CONCORD_DEV_API_KEY}, the key itself) is accepted as client {@code dev}
 * with every grant, including {@code trusted-writer}; it is meant for the local stack only.
 */
public final class ApiKeys {

    public static final String DEV_CLIENT = "dev";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._@:-]{1,128}");

    private final Map<String, Client> byDigest;

    private ApiKeys(Map<String, Client> byDigest) {
        this.byDigest = Map.copyOf(byDigest);
    }

    /**
     * @param json    the JSON array (may be null or blank)
     * @param file    a file holding the JSON array (may be null or blank)
     * @param devKey  a plain development key with all grants (may be null or blank)
     * @throws IllegalArgumentException naming the entry that is wrong: a service must not start with keys it cannot read
     */
    public static ApiKeys load(String json, String file, String devKey) {
        Map<String, Client> byDigest = new HashMap<>();
        List<String> sources = new ArrayList<>();
        if (json != null && !json.isBlank()) {
            sources.add(json);
        }
        if (file != null && !file.isBlank()) {
            try {
                sources.add(Files.readString(Path.of(file), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read the API keys file " + file + ": " + e.getMessage(), e);
            }
        }
        for (String source : sources) {
            parse(source).forEach((digest, client) -> {
                if (byDigest.putIfAbsent(digest, client) != null) {
                    throw new IllegalArgumentException("API key digest " + digest.substring(0, 8) + "… is configured twice");
                }
            });
        }
        if (devKey != null && !devKey.isBlank()) {
            byDigest.put(sha256Hex(devKey), new Client(DEV_CLIENT, Grants.parse(List.of(Grants.ALL, Grants.TRUSTED_WRITER))));
        }
        return new ApiKeys(byDigest);
    }

    static Map<String, Client> parse(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("API keys are not valid JSON: " + e.getMessage()
                    + "; expected [{\"client\": ..., \"sha256\": ..., \"grants\": [...]}]", e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("API keys must be a JSON array of {\"client\", \"sha256\", \"grants\"}");
        }
        Map<String, Client> byDigest = new HashMap<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode entry = root.get(i);
            String client = entry.path("client").asText("");
            String digest = entry.path("sha256").asText("").toLowerCase(Locale.ROOT);
            if (!CLIENT_ID.matcher(client).matches()) {
                throw new IllegalArgumentException("API key entry " + i + ": 'client' must be 1 to 128 characters of [A-Za-z0-9._@:-]");
            }
            if (!SHA256_HEX.matcher(digest).matches()) {
                throw new IllegalArgumentException("API key entry " + i + " (" + client + "): 'sha256' must be the 64 hex digits"
                        + " of SHA-256(key), e.g. printf %s \"$KEY\" | sha256sum");
            }
            if (!entry.path("grants").isArray()) {
                throw new IllegalArgumentException("API key entry " + i + " (" + client + "): 'grants' must be an array, e.g. [\"customer:write\"]");
            }
            List<String> grants = new ArrayList<>();
            entry.path("grants").forEach(g -> grants.add(g.asText()));
            if (byDigest.put(digest, new Client(client, Grants.parse(grants))) != null) {
                throw new IllegalArgumentException("API key entry " + i + " (" + client + "): the same key digest appears twice");
            }
        }
        return byDigest;
    }

    /** The client holding this key, if any. */
    public Optional<Client> find(String key) {
        return key == null || key.isEmpty() ? Optional.empty() : Optional.ofNullable(byDigest.get(sha256Hex(key)));
    }

    public int size() {
        return byDigest.size();
    }

    public static String sha256Hex(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

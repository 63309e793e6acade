package dev.concord.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Concord in several regions on one machine (docs/multi-region.md): a whole local stack per region — its own broker,
 * sync-processor, producer-service and consumer-service — and MirrorMaker 2 mirroring every region's events to every
 * other. Each region's services know their region ({@code CONCORD_REGION}) and fold the others' events
 * ({@code CONCORD_MIRRORED_FROM}); the type declaration is the sample's with each optimistic type homed in the first region.
 */
public final class LocalRegions implements AutoCloseable {

    public static final List<String> NAMES = List.of("eu", "us", "ap");

    private final Map<String, LocalStack> stacks = new LinkedHashMap<>();
    private final Path declaration;
    private ManagedProcess mirror;
    private final LocalStackConfig template;

    private LocalRegions(LocalStackConfig template, Path declaration) {
        this.template = template;
        this.declaration = declaration;
    }

    /** {@code count} regions on free ports, under {@code runDirectory}: for tests and the benchmark's campaigns. */
    public static LocalRegions startOnFreePorts(Path repositoryRoot, Path runDirectory, int count) {
        return start(LocalStackConfig.onFreePorts(repositoryRoot, runDirectory), count);
    }

    /**
     * @param template   what each region's stack runs with; its run directory gets one subdirectory per region, and
     *                   fixed ports move up by 100 per region (8081 in the first, 8181 in the second, ...)
     * @param count      2 or 3 regions, named {@link #NAMES} in order
     */
    public static LocalRegions start(LocalStackConfig template, int count) {
        if (count < 2 || count > NAMES.size()) {
            throw new IllegalArgumentException("2 to " + NAMES.size() + " regions, not " + count);
        }
        List<String> names = NAMES.subList(0, count);
        LocalRegions regions = new LocalRegions(template, writeDeclaration(template, names.get(0)));
        try {
            for (int i = 0; i < names.size(); i++) {
                regions.startRegion(names, i);
            }
            regions.startMirror("mirror");
            return regions;
        } catch (RuntimeException e) {
            regions.close();
            throw e;
        }
    }

    private void startRegion(List<String> names, int index) {
        String region = names.get(index);
        List<String> others = new ArrayList<>(names);
        others.remove(region);
        LocalStackConfig config = new LocalStackConfig(template.repositoryRoot(), template.runDirectory().resolve(region),
                shift(template.producerPort(), index), shift(template.processorPort(), index), shift(template.consumerPort(), index),
                template.javaOptions(), Map.of("CONCORD_WRITER_ID", region + "-producer-1"), null, Map.of(
                        "CONCORD_REGION", region,
                        "CONCORD_MIRRORED_FROM", String.join(",", others),
                        "CONCORD_TYPES", declaration.toString()));
        stacks.put(region, LocalStack.start(config));
    }

    /** (Re)starts MirrorMaker 2 between every pair of regions; it resumes from the offsets it committed. */
    public void startMirror(String logName) {
        List<String> args = new ArrayList<>();
        args.add(template.runDirectory().resolve("mirror").toString());
        stacks.forEach((region, stack) -> args.add(region + "=" + stack.bootstrapServers()));
        mirror = ConcordModule.MIRROR.launch(template.repositoryRoot(), template.javaOptions(), Map.of(),
                template.runDirectory().resolve(logName + ".log"), line -> false, args.toArray(String[]::new));
    }

    /** Stops MirrorMaker 2: the link between the regions is down, each keeps working alone. */
    public void stopMirror() {
        if (mirror != null) {
            mirror.close();
            mirror = null;
        }
    }

    public Map<String, LocalStack> stacks() {
        return stacks;
    }

    public LocalStack region(String name) {
        return stacks.get(name);
    }

    /** The type declaration every region's services read. */
    public Path declaration() {
        return declaration;
    }

    /** A process that died, if one did (the mirror included). */
    public java.util.Optional<String> deadProcess() {
        for (LocalStack stack : stacks.values()) {
            var dead = stack.deadProcess();
            if (dead.isPresent()) {
                return dead;
            }
        }
        return mirror != null && !mirror.isAlive() ? java.util.Optional.of("mirror exited") : java.util.Optional.empty();
    }

    @Override
    public void close() {
        stopMirror();
        List<LocalStack> all = new ArrayList<>(stacks.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }

    private static int shift(int port, int index) {
        return port == 0 ? 0 : port + 100 * index;
    }

    /** The sample declaration, each optimistic type homed in {@code home}: across regions each needs a home. */
    private static Path writeDeclaration(LocalStackConfig template, String home) {
        ObjectMapper json = new ObjectMapper();
        try {
            JsonNode declaration = json.readTree(template.repositoryRoot().resolve("schemas/src/main/resources/concord-types.json").toFile());
            for (JsonNode type : declaration.path("types")) {
                if ("optimistic".equals(type.path("policy").asText()) && !type.has("home")) {
                    ((ObjectNode) type).put("home", home);
                }
            }
            Path file = Files.createDirectories(template.runDirectory()).resolve("concord-types.json");
            json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), declaration);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the regions' type declaration", e);
        }
    }
}

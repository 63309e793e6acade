package dev.concord.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Everything a run measured, written as JSON (for tools) and as a Markdown table (for people). */
public final class Results {

    private final String command;
    private final String mode;
    private final Instant startedAt = Instant.now();
    private final List<Measurement> measurements = new ArrayList<>();
    private final List<String> correctness = new ArrayList<>();
    private final Map<String, String> profiles = new LinkedHashMap<>();
    private final List<String> keyFigures = new ArrayList<>();
    private boolean correct = true;
    private boolean aboveFloors = true;

    public Results(String command, String mode) {
        this.command = command;
        this.mode = mode;
    }

    public synchronized void add(Measurement measurement) {
        measurements.add(measurement);
        System.out.printf(Locale.ROOT, "  %-46s %12.1f %-8s | %-34s %12.1f | ratio %.2f%n", measurement.name(), measurement.value(),
                measurement.unit(), measurement.baseline(), measurement.baselineValue(), measurement.ratio());
    }

    public synchronized void addCorrectness(String summary, boolean ok) {
        correctness.add(summary);
        correct &= ok;
        System.out.println("  oracle: " + summary);
    }

    public synchronized void addProfile(String measurement, String summary) {
        profiles.put(measurement, summary);
        System.out.println("  profile of " + measurement + ": " + summary);
    }

    public boolean correct() {
        return correct;
    }

    /** A headline figure (P1, P2, a p99) against its target; {@code aboveFloor} false fails the run (the CI guard). */
    public synchronized void addKeyFigure(String summary, boolean aboveFloor) {
        keyFigures.add(summary + (aboveFloor ? "" : " — **UNDER THE FLOOR**"));
        aboveFloors &= aboveFloor;
        System.out.println("  key figure: " + summary + (aboveFloor ? "" : " — UNDER THE FLOOR"));
    }

    public boolean aboveFloors() {
        return aboveFloors;
    }

    public synchronized Optional<Measurement> measurement(String name) {
        return measurements.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    public void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("mode", mode);
        json.put("startedAt", startedAt.toString());
        json.put("machine", machine());
        json.put("measurements", measurements);
        json.put("correctness", correctness);
        json.put("correct", correct);
        json.put("keyFigures", keyFigures);
        json.put("aboveFloors", aboveFloors);
        json.put("profiles", profiles);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(directory.resolve("results.json").toFile(), json);
        Files.writeString(directory.resolve("results.md"), markdown());
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("Command: `").append(command).append("` (").append(mode).append(" mode), ").append(startedAt).append("\n\n");
        md.append("Machine: ").append(machine()).append("\n\n");
        md.append("| measurement | value | baseline (same run) | baseline value | ratio |\n|---|---:|---|---:|---:|\n");
        for (Measurement m : measurements) {
            md.append(String.format(Locale.ROOT, "| %s | %,.1f %s | %s | %,.1f %s | %.2f%s |%n", m.name(), m.value(), m.unit(),
                    m.baseline(), m.baselineValue(), m.unit(), m.ratio(), m.higherIsBetter() ? "" : " (lower is better)"));
        }
        if (!keyFigures.isEmpty()) {
            md.append("\nKey figures:\n\n");
            keyFigures.forEach(line -> md.append("- ").append(line).append('\n'));
        }
        md.append("\nCorrectness oracle:\n\n");
        correctness.forEach(line -> md.append("- ").append(line).append('\n'));
        if (!profiles.isEmpty()) {
            md.append("\nProfiles (Java Flight Recorder, CPU samples):\n\n");
            profiles.forEach((name, summary) -> md.append("- **").append(name).append("**: ").append(summary).append('\n'));
        }
        return md.toString();
    }

    private static String machine() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.availableProcessors() + " cores, " + (runtime.maxMemory() >> 20) + " MiB max heap for the harness, Java "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }
}

package dev.concord.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Java Flight Recorder around a measurement: records with the JDK's "profile" settings and
 * summarises where the CPU samples fall — by component (Kafka client, Kafka Streams, RocksDB, Avro,
 * JDBC, Concord, ...) and by hottest method — so each figure comes with its bottleneck.
 */
public final class Profiler implements AutoCloseable {

    private final Recording recording;
    private final Path file;

    private Profiler(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    public static Profiler start(Path directory, String name) {
        try {
            Files.createDirectories(directory);
            Recording recording = new Recording(Configuration.getConfiguration("profile"));
            recording.start();
            return new Profiler(recording, directory.resolve(name + ".jfr"));
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("cannot start Java Flight Recorder", e);
        }
    }

    /** Stops recording, keeps the .jfr file, and returns a one-paragraph summary of the CPU samples. */
    public String stopAndSummarize(String threadNameFragment) {
        try {
            recording.stop();
            recording.dump(file);
            return summarize(file, threadNameFragment);
        } catch (IOException e) {
            return "(no profile: " + e.getMessage() + ")";
        }
    }

    /** Summarises any recording, e.g. one a child JVM dumped on exit. */
    public static String summarize(Path jfr) throws IOException {
        return summarize(jfr, "");
    }

    /** Only samples of threads whose name contains {@code threadNameFragment} (e.g. "StreamThread"). */
    public static String summarize(Path jfr, String threadNameFragment) throws IOException {
        Map<String, Integer> byComponent = new HashMap<>();
        Map<String, Integer> byMethod = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(jfr)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null
                    || event.getStackTrace().getFrames().isEmpty()
                    || !String.valueOf(event.getThread("sampledThread") == null ? null
                    : event.getThread("sampledThread").getJavaName()).contains(threadNameFragment)) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            RecordedFrame top = frames.get(0);
            byMethod.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
            byComponent.merge(component(frames), 1, Integer::sum);
        }
        if (samples == 0) {
            return "no CPU samples recorded";
        }
        return samples + " CPU samples" + (threadNameFragment.isEmpty() ? "" : " of " + threadNameFragment + " threads")
                + " (" + jfr.getFileName() + "). By component: " + top(byComponent, samples, 6)
                + ". Hottest methods: " + top(byMethod, samples, 8) + ".";
    }

    /** The innermost frame that belongs to a component we can name. */
    private static String component(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("org.rocksdb")) return "RocksDB";
            if (type.startsWith("org.apache.avro")) return "Avro";
            if (type.startsWith("org.apache.kafka.streams")) return "Kafka Streams";
            if (type.startsWith("org.apache.kafka") || type.startsWith("kafka.")) return "Kafka client/broker";
            if (type.startsWith("org.postgresql") || type.startsWith("com.zaxxer")) return "JDBC";
            if (type.startsWith("com.fasterxml.jackson")) return "Jackson";
            if (type.startsWith("io.netty") || type.startsWith("io.micronaut")) return "Micronaut/Netty";
            if (type.startsWith("dev.concord")) return "Concord";
            if (type.startsWith("java.util.zip") || type.contains("crc") || type.contains("Crc")) return "checksums/compression";
        }
        return "JDK/other";
    }

    private static String top(Map<String, Integer> counts, int total, int n) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100.0 * e.getValue() / total))
                .collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        recording.close();
    }
}

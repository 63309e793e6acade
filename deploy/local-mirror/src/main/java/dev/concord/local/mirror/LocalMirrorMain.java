package dev.concord.local.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.mirror.MirrorMaker;

/**
 * Runs MirrorMaker 2 (dedicated mode) between Concord regions on this machine: every region's events topics
 * ({@code concord.events.<type>}) are mirrored to every other region as {@code <source region>.concord.events.<type>}
 * (Kafka's {@code DefaultReplicationPolicy}), partition for partition, headers included. Nothing else is mirrored: each
 * region folds its own state, and a mirrored topic never matches the pattern, so an event is never mirrored back.
 *
 * <p>Usage: {@code LocalMirrorMain <work dir> <region>=<bootstrap servers> <region>=<bootstrap servers> ...}. The
 * properties it writes to the work directory are what an operator would give {@code connect-mirror-maker.sh}.
 */
public final class LocalMirrorMain {

    /** The topics mirrored: each region's own events, never what it received from another region. */
    public static final String EVENTS_PATTERN = "concord\\.events\\..*";

    private LocalMirrorMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: LocalMirrorMain <work dir> <region>=<bootstrap servers> <region>=<bootstrap servers> ...");
            System.exit(2);
        }
        Map<String, String> regions = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int equals = args[i].indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("expected <region>=<bootstrap servers>, got " + args[i]);
            }
            regions.put(args[i].substring(0, equals), args[i].substring(equals + 1));
        }
        Path properties = Path.of(args[0]).resolve("mm2.properties");
        write(properties, regions);
        MirrorMaker.main(new String[] {properties.toString()});
    }

    static void write(Path properties, Map<String, String> regions) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("clusters = " + String.join(", ", regions.keySet()));
        regions.forEach((region, bootstrap) -> lines.add(region + ".bootstrap.servers = " + bootstrap));
        for (String source : regions.keySet()) {
            for (String target : regions.keySet()) {
                if (!source.equals(target)) {
                    lines.add(source + "->" + target + ".enabled = true");
                    lines.add(source + "->" + target + ".topics = " + EVENTS_PATTERN);
                }
            }
        }
        lines.addAll(List.of(
                // One broker per region here: every internal topic with one replica (three in production, docs/multi-region.md).
                "replication.factor = 1",
                "checkpoints.topic.replication.factor = 1",
                "heartbeats.topic.replication.factor = 1",
                "offset-syncs.topic.replication.factor = 1",
                "offset.storage.replication.factor = 1",
                "status.storage.replication.factor = 1",
                "config.storage.replication.factor = 1",
                // Events only: no consumer-group offsets synced, no ACLs; topic configs follow the source.
                "emit.checkpoints.enabled = true", // its checkpoint connector refuses to run without; cheap: no group reads the events there
                "sync.group.offsets.enabled = false",
                "sync.topic.acls.enabled = false",
                "refresh.topics.interval.seconds = 2",
                // Mirrored as soon as read: a region's writes reach the other in milliseconds, not a batch later.
                "producer.override.linger.ms = 5",
                "consumer.auto.offset.reset = earliest"));
        Files.createDirectories(properties.getParent());
        Files.writeString(properties, String.join("\n", lines) + "\n");
    }
}

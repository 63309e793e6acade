package dev.concord.processor.runtime;

import dev.concord.contract.types.EntityTypes;
import dev.concord.processor.topology.SyncTopology;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state stores' changelog topics ({@code <application.id>-state.<type>-changelog}) that releases before the state
 * topic became the store's log wrote. Nothing reads them any more; they hold a second copy of every state until an
 * operator deletes them, which the upgrade note asks for once no old instance runs (docs/operations.md, "Where the
 * processor keeps its states"). Named in a warning at start-up, since nothing else would say they are there.
 */
final class OldStateChangelogs {

    private static final Logger LOG = LoggerFactory.getLogger(OldStateChangelogs.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private OldStateChangelogs() {
    }

    /**
     * Warns when any are found; a broker that cannot say is not a reason to stop the start-up.
     *
     * @param admin a client the caller holds (and closes): one list of topics is not worth a connection of its own
     */
    static void warnIfAny(Admin admin, String applicationId, EntityTypes types) {
        try {
            List<String> found = find(admin, applicationId, types);
            if (!found.isEmpty()) {
                LOG.warn("Changelog topics of an earlier release are still on the broker: {}. The state topics are the stores'"
                        + " logs now and nothing reads these; delete them once no instance of the earlier release runs"
                        + " (docs/operations.md, \"Where the processor keeps its states\")", found);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.info("Could not look for earlier releases' changelog topics ({}); starting all the same", e.toString());
        }
    }

    static List<String> find(Admin admin, String applicationId, EntityTypes types) throws Exception {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().timeoutMs((int) TIMEOUT.toMillis())).names()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return types.all().stream()
                .map(type -> applicationId + "-" + SyncTopology.Names.of(type).stateStore() + "-changelog")
                .filter(topics::contains)
                .sorted()
                .toList();
    }
}

package dev.concord.bench.oracle;

import java.util.List;

/**
 * How one copy of the data (the state topic, or a replica's table) compares with the truth.
 *
 * @param lost       entities the truth has and the copy lacks
 * @param stale      entities the copy holds at an older version than the truth
 * @param diverged   entities at the right version whose content differs
 * @param extra      entities the copy has and the truth does not
 * @param duplicated entities for which the copy published one version more than once
 */
public record OracleReport(String copy, int entities, List<String> lost, List<String> stale, List<String> diverged,
                           List<String> extra, List<String> duplicated) {

    public boolean ok() {
        return lost.isEmpty() && stale.isEmpty() && diverged.isEmpty() && extra.isEmpty() && duplicated.isEmpty();
    }

    public String summary() {
        return copy + ": " + entities + " entities, " + (ok() ? "identical to the truth" : "DIVERGES — lost " + sample(lost)
                + ", stale " + sample(stale) + ", diverged " + sample(diverged) + ", extra " + sample(extra)
                + ", duplicated " + sample(duplicated));
    }

    private static String sample(List<String> ids) {
        return ids.size() + (ids.isEmpty() ? "" : " " + ids.subList(0, Math.min(5, ids.size())));
    }
}

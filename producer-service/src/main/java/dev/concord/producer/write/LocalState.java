package dev.concord.producer.write;

import dev.concord.contract.settings.Settings;
import java.nio.file.Path;

/** Where this instance keeps what must survive its restart: its clock's high-water mark, change data capture's position. */
public final class LocalState {

    private LocalState() {
    }

    /** {@code concord.data-dir} ({@code CONCORD_DATA_DIR}; on Kubernetes a volume), else a directory under the temp dir. */
    public static Path directory(Settings settings) {
        return settings.optionalText("concord.data-dir").map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "concord-producer"));
    }
}

package dev.concord.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The code blocks of docs/operations.md by their marker: a fence opened with {@code ```bash offline} runs without a
 * cluster (RunbookTest runs it); {@code ```bash images} holds the image builds (DockerfilesTest checks them).
 */
final class Runbook {

    private Runbook() {
    }

    static String text() {
        try {
            return Files.readString(Kustomize.repo().resolve("docs/operations.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bodies of the blocks whose fence line is exactly {@code ```<info>}, in order. */
    static List<String> blocks(String info) {
        List<String> blocks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : text().split("\n", -1)) {
            if (current == null) {
                if (line.strip().equals("```" + info)) {
                    current = new StringBuilder();
                }
            } else if (line.strip().equals("```")) {
                blocks.add(current.toString());
                current = null;
            } else {
                current.append(line).append('\n');
            }
        }
        if (current != null) {
            throw new AssertionError("docs/operations.md: a ```" + info + " block is not closed");
        }
        return blocks;
    }
}
